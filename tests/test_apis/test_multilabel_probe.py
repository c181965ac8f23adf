"""mmbrain.apis.multilabel_probe: mAP and the kNN vote against hand
computation, the linear probe's fit and its choice on validation alone."""
import math

import pytest
import torch

from mmbrain.apis.multilabel_probe import (knn_scores, linear_probe,
                                           mean_average_precision)


def test_map_by_hand():
    scores = torch.tensor([[.9, .1, .5], [.8, .7, .4], [.3, .2, .3],
                           [.1, .6, .2]])
    targets = torch.tensor([[1., 0, 0], [0, 1, 0], [1, 0, 0], [0, 0, 0]])
    # class 0 ranks 1, 0, 1, 0: precision 1/1 and 2/3 at its positives;
    # class 1 ranks its one positive first; class 2 has none: not scored
    value, scored = mean_average_precision(scores, targets)
    assert value == pytest.approx(100 * ((1 + 2 / 3) / 2 + 1) / 2)
    assert scored == 2


def test_knn_vote_by_hand():
    train = torch.tensor([[1., 0], [0, 1], [1, 1]])
    labels = torch.tensor([[1., 0], [0, 1], [1, 1]])
    scores = knn_scores(train, labels, torch.tensor([[2., 0]]), k=2,
                        temperature=1.)
    # cosine similarities 1 (first), 1/sqrt(2) (third); the second is out
    w = torch.tensor([1., 1 / math.sqrt(2)]).softmax(0)
    assert scores[0].tolist() == pytest.approx([1., float(w[1])])


def test_the_linear_probe_separates_and_chooses_on_validation():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(200, 5, generator=g)
    y = torch.stack([x[:, 0] > 0, x[:, 1] + x[:, 2] > 0], 1).float()
    test = torch.randn(100, 5, generator=g)
    probe, chosen = linear_probe(x, y, [1e-4, 1e-1])
    logits = probe(test)
    truth = torch.stack([test[:, 0] > 0, test[:, 1] + test[:, 2] > 0],
                        1).float()
    assert mean_average_precision(logits, truth)[0] > 99
    assert chosen in (1e-4, 1e-1)
