from typing import Sequence, Tuple

import torch
from mmengine.model import BaseModule

from mmbrain.registry import MODELS


@MODELS.register_module()
class TimmFeatureBackbone(BaseModule):
    """Any timm model as a multi-scale backbone with NCHW outputs.

    timm's ``features_only`` models return some families channels-last (Swin
    gives ``(N, H, W, C)``), which mmdet/mmseg necks cannot take. This wrapper
    always returns ``(N, C, H, W)`` maps, so a timm model drops into Mask
    R-CNN, UperNet or the brain-guided pretrainer by config alone. It never
    downloads weights: load them with ``init_cfg=dict(type='Pretrained',
    checkpoint=..., prefix='backbone.')``.

    Args:
        model_name (str): timm model name, e.g. ``'swin_small_patch4_window7_224'``.
        out_indices (Sequence[int]): Feature levels to return (indices into
            timm's ``feature_info``). Defaults to (0, 1, 2, 3).
        in_channels (int): Image channels. Defaults to 3.
        init_cfg (dict, optional): mmengine initialisation config.
        **kwargs: Passed to ``timm.create_model`` (``img_size``,
            ``drop_path_rate``, ...).

    Attributes:
        out_channels (list[int]): Channels of each returned level.
        strides (list[int]): Stride of each returned level.
    """

    def __init__(self,
                 model_name: str,
                 out_indices: Sequence[int] = (0, 1, 2, 3),
                 in_channels: int = 3,
                 init_cfg=None,
                 **kwargs):
        import timm
        super().__init__(init_cfg)
        if kwargs.get('pretrained'):
            raise ValueError('TimmFeatureBackbone does not download weights; '
                             'use init_cfg=dict(type="Pretrained", ...)')
        kwargs.pop('pretrained', None)
        self.model = timm.create_model(
            model_name,
            features_only=True,
            out_indices=tuple(out_indices),
            in_chans=in_channels,
            pretrained=False,
            **kwargs)
        self.channels_last = getattr(self.model, 'output_fmt', 'NCHW') == 'NHWC'
        self.out_channels = self.model.feature_info.channels()
        self.strides = self.model.feature_info.reduction()

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """(N, C_in, H, W) images -> tuple of (N, C_i, H / s_i, W / s_i)."""
        feats = self.model(x)
        if self.channels_last:
            feats = [f.permute(0, 3, 1, 2).contiguous() for f in feats]
        return tuple(feats)
