import pytest
import torch

from mmbrain.models import RoiBalancedMSELoss, roi_balanced_mse


def test_each_group_counts_once_by_hand():
    # group 0: 2 samples x 3 voxels, the last voxel of sample 1 padding
    pred0 = torch.tensor([[1., 2., 3.], [0., 0., 9.]])
    target0 = torch.tensor([[0., 2., 1.], [1., 0., -5.]])
    mask0 = torch.tensor([[True, True, True], [True, True, False]])
    # group 1: one voxel
    pred1, target1 = torch.tensor([[2.], [0.]]), torch.tensor([[0.], [0.]])
    mask1 = torch.ones(2, 1, dtype=torch.bool)
    group0 = (1 + 0 + 4 + 1 + 0) / 5  # padding left out
    group1 = (4 + 0) / 2
    loss = roi_balanced_mse([pred0, pred1], [target0, target1],
                            [mask0, mask1])
    assert loss.item() == pytest.approx((group0 + group1) / 2)
    # without masks every entry is real
    assert roi_balanced_mse([pred1], [target1]).item() == pytest.approx(2.)
    weighted = RoiBalancedMSELoss(loss_weight=0.5)([pred1], [target1])
    assert weighted.item() == pytest.approx(1.)


def test_many_voxels_weigh_no_more_than_few():
    small = torch.ones(4, 2), torch.zeros(4, 2)  # error 1 per entry
    big = torch.zeros(4, 500), torch.zeros(4, 500)  # no error
    loss = roi_balanced_mse([small[0], big[0]], [small[1], big[1]])
    assert loss.item() == pytest.approx(0.5)


def test_shapes_that_differ_are_refused():
    with pytest.raises(ValueError, match=r'group 0: predictions \(2, 3\)'):
        roi_balanced_mse([torch.zeros(2, 3)], [torch.zeros(2, 4)])
    with pytest.raises(ValueError, match='1 predicted groups for 2'):
        roi_balanced_mse([torch.zeros(2, 3)], [torch.zeros(2, 3)] * 2)
