from typing import Sequence, Tuple

import torch
from mmengine.model import BaseModule

from mmbrain.registry import MODELS


@MODELS.register_module()
class LastStageNeck(BaseModule):
    """Feeds only a backbone's last output to a neck that takes one.

    mmpretrain's self-supervised necks (``NonLinearNeck``, ``MoCoV2Neck``)
    take a one-element tuple, while the backbones here keep all four stages
    and their norms (``out_indices=(0, 1, 2, 3)``) so that the exported
    backbone loads into Mask R-CNN and UperNet with no missing key.

    Args:
        neck (dict): The neck, e.g. ``dict(type='mmpretrain.NonLinearNeck',
            ...)``.
        init_cfg (dict, optional): mmengine initialisation config.
    """

    def __init__(self, neck: dict, init_cfg=None):
        super().__init__(init_cfg)
        self.neck = MODELS.build(neck)

    def forward(self, x: Sequence[torch.Tensor]) -> Tuple[torch.Tensor]:
        """Backbone outputs, the last (N, C, H, W) -> the neck's outputs."""
        return self.neck((x[-1], ))
