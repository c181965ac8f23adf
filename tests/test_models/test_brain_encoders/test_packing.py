"""The host-side plan of packed tokens and windows, by hand."""
import torch

from mmbrain.models.brain_encoders.packing import make_plan


def test_plan_of_two_samples_by_hand():
    # ROI 0: samples of 10 and 5 voxels; kernel 4, stride 2 -> 4 and 2
    # tokens; windows of 3 tokens every 2 -> [0 1 2] [2 3] and [4 5]
    plan = make_plan(((10, 5), ), 4, 2, 3, 2, 1)
    assert plan.voxels[0].tolist() == [
        [0, 1, 2, 3], [2, 3, 4, 5], [4, 5, 6, 7], [6, 7, 8, 9],
        [10, 11, 12, 13], [12, 13, 14, 20]]  # 20 = 2 x 10: the sentinel
    assert plan.voxel_count[0].flatten().tolist() == [4, 4, 4, 4, 4, 3]
    assert plan.token_pos[0].tolist() == [0, 1, 2, 3, 0, 1]
    assert plan.max_tokens == 4
    level = plan.levels[0][0]
    assert level.full.tolist() == [[0, 1, 2]]
    assert level.tail.tolist() == [[2, 3], [4, 5]]  # width 2, no sentinel
    assert level.tail_mask.all()
    assert level.copy_token.tolist() == [0, 1, 2, 2, 3, 4, 5]
    assert level.window_order.tolist() == [0, 1, 2]
    assert level.count.flatten().tolist() == [3, 2, 2]
    # the ROI block: one window per sample over its 2 and 1 summaries
    rois = plan.rois[0]
    assert rois.full.tolist() == [[0, 1]]
    assert rois.tail.tolist() == [[2]] and rois.tail_valid.tolist() == [0]
    assert rois.window_order.tolist() == [0, 1]


def test_window_order_puts_full_windows_first():
    # samples of 2 and 4 tokens, windows of 3 every 2: [0 1] is a tail
    # window, [2 3 4] a full one and [4 5] a tail one
    level = make_plan(((2, 4), ), 1, 1, 3, 2, 1).levels[0][0]
    assert level.full.tolist() == [[2, 3, 4]]
    assert level.tail.tolist() == [[0, 1], [4, 5]]
    assert level.copy_token.tolist() == [2, 3, 4, 0, 1, 4, 5]
    # rows among [full..., tail...] of the windows in sample order
    assert level.window_order.tolist() == [1, 0, 2]


def test_tail_windows_share_a_width_across_rois():
    # ROI 0's tail holds 1 token, ROI 1's 2: both are padded to 2
    plan = make_plan(((5, ), (6, )), 1, 1, 4, 4, 1)
    tails = [lay.tail for lay in plan.levels[0]]
    # past its end a window repeats its first token (masked out)
    assert [t.tolist() for t in tails] == [[[4, 4]], [[4, 5]]]
    assert plan.levels[0][0].tail_mask.tolist() == [[True, False]]
    assert plan.levels[0][0].tail_valid.tolist() == [0]
    assert plan.levels[0][1].tail_valid.tolist() == [0, 1]


def test_plan_moves_to_a_device_and_is_cached():
    plan = make_plan(((10, 5), ), 4, 2, 3, 2, 1)
    assert make_plan(((10, 5), ), 4, 2, 3, 2, 1) is plan
    moved = plan.to('meta')
    assert moved.levels[0][0].full.device == torch.device('meta')
    assert moved.max_tokens == 4
