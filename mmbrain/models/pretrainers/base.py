from typing import Optional, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModel

from mmbrain.registry import MODELS


def build_part(cfg: Union[dict, nn.Module]) -> nn.Module:
    """A model part from its config, or the module itself."""
    return MODELS.build(cfg) if isinstance(cfg, dict) else cfg


class BasePretrainer(BaseModel):
    """What every mmbrain pretrainer shares: an image backbone (exported
    alone afterwards, under ``backbone.``) and the brain data preprocessor.

    Args:
        backbone (dict | nn.Module): Image backbone
            (``type='mmpretrain.ConvNeXt'``, ``'mmdet.SwinTransformer'``,
            ``'mmbrain.TimmFeatureBackbone'``, ...).
        data_preprocessor (dict, optional): Defaults to
            ``BrainDataPreprocessor`` with ImageNet mean/std.
        init_cfg (dict, optional): mmengine initialisation config.
        channels_last (bool): Run the backbone on channels-last (NHWC)
            images and weights, which GPU convolution kernels prefer; the
            outputs are the same. Defaults to False.
    """

    def __init__(self,
                 backbone: Union[dict, nn.Module],
                 data_preprocessor: Optional[dict] = None,
                 init_cfg=None,
                 channels_last: bool = False):
        if data_preprocessor is None:
            data_preprocessor = dict(
                type='BrainDataPreprocessor',
                mean=[123.675, 116.28, 103.53],
                std=[58.395, 57.12, 57.375])
        super().__init__(
            data_preprocessor=build_part(data_preprocessor),
            init_cfg=init_cfg)
        self.backbone = build_part(backbone)
        self.memory_format = (torch.channels_last
                              if channels_last else torch.contiguous_format)
        self.backbone.to(memory_format=self.memory_format)

    def extract_feat(self, img: torch.Tensor) -> torch.Tensor:
        """(N, 3, H, W) images -> the last backbone output, (N, C, h, w)
        (or (N, C) for a backbone that pools); the head pools it."""
        feats = self.backbone(
            img.contiguous(memory_format=self.memory_format))
        return feats[-1] if isinstance(feats, (tuple, list)) else feats
