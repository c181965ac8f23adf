import math
from typing import Tuple

import torch
import torch.nn as nn

from mmbrain.registry import MODELS


@MODELS.register_module()
class RoiAttentionPool(nn.Module):
    """Pools a feature map with one learned query per ROI.

    The positions of the map are layer-normalised tokens; ROI k's query
    scores each position's key, and its pooled feature is the softmax-
    weighted mean of the tokens over the positions. The queries start small,
    so the attention starts near uniform (global average pooling) and learns
    where each ROI looks.

    Args:
        in_channels (int): Channels C of the feature map.
        num_rois (int): ROIs R, one query each.
        key_dims (int): Width of the keys and queries. Defaults to 64.
    """

    def __init__(self, in_channels: int, num_rois: int, key_dims: int = 64):
        super().__init__()
        self.norm = nn.LayerNorm(in_channels)
        self.key = nn.Linear(in_channels, key_dims)
        self.query = nn.Parameter(torch.randn(num_rois, key_dims) * 0.02)
        self.scale = 1 / math.sqrt(key_dims)

    def forward(self,
                feats: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """(N, C, H, W) map -> pooled (N, R, C) and attention (N, R, H, W),
        each ROI's attention summing to 1 over the positions."""
        n, _, h, w = feats.shape
        tokens = self.norm(feats.flatten(2).transpose(1, 2))  # [N, HW, C]
        logits = torch.einsum('nlc,rc->nrl', self.key(tokens),
                              self.query) * self.scale
        attn = logits.softmax(dim=-1)  # [N, R, HW]
        return attn @ tokens, attn.view(n, -1, h, w)
