"""LastStageNeck: an mmpretrain neck on a backbone's last stage only."""
import torch

from mmbrain.registry import MODELS
from mmbrain.utils import register_all_modules


def test_feeds_only_the_last_stage():
    register_all_modules()
    neck = MODELS.build(
        dict(type='LastStageNeck',
             neck=dict(type='mmpretrain.NonLinearNeck', in_channels=8,
                       hid_channels=16, out_channels=4,
                       norm_cfg=dict(type='BN1d'))))
    stages = (torch.randn(2, 3, 8, 8), torch.randn(2, 8, 3, 3))
    out = neck.eval()(stages)
    assert len(out) == 1 and out[0].shape == (2, 4)
    torch.testing.assert_close(out[0], neck.neck((stages[-1], ))[0])
