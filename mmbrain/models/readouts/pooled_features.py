from typing import Sequence

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule

from mmbrain.registry import MODELS


@MODELS.register_module()
class PooledFeatures(BaseModule):
    """Backbone features for a fitted readout: the chosen stages,
    average-pooled to ``pool_size`` x ``pool_size``, flattened and
    concatenated.

    Args:
        backbone (dict | nn.Module): The (frozen) backbone; load weights
            with its ``init_cfg``.
        stages (Sequence[int]): Indices into the backbone's outputs.
        pool_size (int): Output grid of the pooling. Defaults to 1.
    """

    def __init__(self,
                 backbone,
                 stages: Sequence[int] = (-1, ),
                 pool_size: int = 1,
                 init_cfg=None):
        super().__init__(init_cfg)
        self.backbone = (
            MODELS.build(backbone) if isinstance(backbone, dict) else
            backbone)
        self.stages = tuple(stages)
        self.pool_size = pool_size

    @torch.no_grad()
    def forward(self, img: torch.Tensor) -> torch.Tensor:
        """(N, 3, H, W) normalised images -> (N, F) features."""
        return self.features(img)

    def features(self, img: torch.Tensor) -> torch.Tensor:
        """:meth:`forward` with gradients (to attack the images)."""
        outs = self.backbone(img)
        feats = [
            F.adaptive_avg_pool2d(outs[i], self.pool_size).flatten(1)
            for i in self.stages
        ]
        return torch.cat(feats, dim=1)
