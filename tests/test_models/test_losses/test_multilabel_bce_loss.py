import math

import pytest
import torch

from mmbrain.models import MultiLabelBCELoss, multilabel_bce


def bce(x, t):
    """The binary cross-entropy of logit x against label t, by hand."""
    return math.log(1 + math.exp(x)) - t * x


def test_each_group_counts_once_by_hand():
    # group 0: 2 images x 2 categories, the last entry of image 1 masked
    logits0 = torch.tensor([[0., 2.], [-1., 3.]])
    labels0 = torch.tensor([[1., 0.], [0., 1.]])
    mask0 = torch.tensor([[True, True], [True, False]])
    # group 1: one category
    logits1, labels1 = torch.tensor([[1.], [-2.]]), torch.tensor([[1.], [1.]])
    group0 = (bce(0, 1) + bce(2, 0) + bce(-1, 0)) / 3
    group1 = (bce(1, 1) + bce(-2, 1)) / 2
    loss = multilabel_bce([logits0, logits1], [labels0, labels1],
                          [mask0, torch.ones(2, 1, dtype=torch.bool)])
    assert loss.item() == pytest.approx((group0 + group1) / 2)
    # without masks every entry is real
    assert multilabel_bce([logits1], [labels1]).item() == pytest.approx(
        group1)
    weighted = MultiLabelBCELoss(loss_weight=0.5)([logits1], [labels1])
    assert weighted.item() == pytest.approx(0.5 * group1)


def test_shapes_that_differ_are_refused():
    with pytest.raises(ValueError, match=r'group 0: logits \(2, 3\)'):
        multilabel_bce([torch.zeros(2, 3)], [torch.zeros(2, 4)])
    with pytest.raises(ValueError, match='1 predicted groups for 2'):
        multilabel_bce([torch.zeros(2, 3)], [torch.zeros(2, 3)] * 2)
