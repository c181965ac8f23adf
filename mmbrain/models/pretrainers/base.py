from typing import Optional, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModel

from mmbrain.registry import MODELS


def build_part(cfg: Union[dict, nn.Module],
               base: Optional[type] = None,
               what: str = '') -> nn.Module:
    """A model part from its config, or the module itself; where ``base``
    is given, a TypeError unless the part derives from it (``what``, e.g.
    ``'a brain encoder'``, names the kind in the message)."""
    part = MODELS.build(cfg) if isinstance(cfg, dict) else cfg
    if base is not None and not isinstance(part, base):
        raise TypeError(f'{type(part).__name__} is not {what}: derive it '
                        f'from {base.__name__}, which states what the '
                        'pretrainer relies on')
    return part


def check_roi_groups(groups: int, part: str, module: nn.Module,
                     data_samples: Optional[list] = None,
                     mode: str = 'loss'):
    """Where the data meets the model: a batch of ``groups`` ROI groups for
    a model whose ``part`` (``'brain_encoder'``, ``'head'``) was built for
    another R stops with one line naming the config keys of both."""
    if groups == module.num_rois:
        return
    rois = getattr((data_samples or [None])[0], 'rois', None)
    loader = 'train' if mode == 'loss' else 'val/test'
    raise ValueError(
        f'the batch holds {groups} ROI groups but model.{part}.num_rois is '
        f'{module.num_rois} ({type(module).__name__}): '
        f'{loader}_dataloader.dataset.rois'
        f'{"" if rois is None else " " + str(list(rois))} and the model '
        "must take their count from one rois list in the config")


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
        # modes whose first batch was checked against the model's ROI
        # groups (check_roi_groups)
        self.checked_modes = set()

    def first_batch(self, mode: str) -> bool:
        """Whether this is the first batch of ``mode`` (``'loss'``,
        ``'predict'``), once per model and eagerly: a compiled step skips
        the check."""
        if torch.compiler.is_compiling() or mode in self.checked_modes:
            return False
        self.checked_modes.add(mode)
        return True

    def extract_feat(self, img: torch.Tensor) -> torch.Tensor:
        """(N, 3, H, W) images -> the last backbone output, (N, C, h, w)
        (or (N, C) for a backbone that pools); the head pools it."""
        feats = self.backbone(
            img.contiguous(memory_format=self.memory_format))
        return feats[-1] if isinstance(feats, (tuple, list)) else feats
