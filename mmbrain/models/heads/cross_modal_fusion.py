from typing import Tuple

import torch
import torch.nn as nn

from mmbrain.registry import MODELS
from mmbrain.utils.user_errors import check_heads


@MODELS.register_module()
class CrossModalFusion(nn.Module):
    """NeuroFusionNet's fusion block: the image tokens ``[p, p̄^1..p̄^R]`` and
    the brain tokens ``[q, q̄^1..q̄^R]`` of a sample go through one
    transformer block together (pre-norm, GELU MLP), each token tagged with
    a learned modality embedding.

    With ``cross_modal=True`` (NeuroFusionNet as written) every token
    attends to both modalities. The image tokens of sample i then see the
    brain tokens of sample i and the reverse, so the contrastive and the
    guidance loss can be lowered by copying within the pair rather than by
    aligning the backbone with the brain. With ``cross_modal=False`` the
    block's weights are shared by both modalities but attention stays
    within each, so p depends on the image alone (and can be computed
    without fMRI at test time).

    Args:
        embed_dims (int): d of the tokens.
        num_heads (int): Attention heads. Defaults to 8.
        mlp_ratio (float): MLP width over d. Defaults to 4.
        cross_modal (bool): Attention across the modalities. Defaults to
            False.
    """

    def __init__(self,
                 embed_dims: int,
                 num_heads: int = 8,
                 mlp_ratio: float = 4.,
                 cross_modal: bool = False):
        super().__init__()
        check_heads('CrossModalFusion', embed_dims, num_heads)
        self.cross_modal = cross_modal
        self.modality = nn.Parameter(torch.zeros(2, embed_dims))
        nn.init.trunc_normal_(self.modality, std=0.02)
        self.block = nn.TransformerEncoderLayer(
            embed_dims,
            num_heads,
            dim_feedforward=int(embed_dims * mlp_ratio),
            dropout=0.,
            activation='gelu',
            batch_first=True,
            norm_first=True)

    def forward(self, img: torch.Tensor,
                brain: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """(N, T, d) image and brain tokens -> the same, fused."""
        img, brain = img + self.modality[0], brain + self.modality[1]
        if not self.cross_modal:  # attention within each: one block each
            return self.block(img), self.block(brain)
        out = self.block(torch.cat([img, brain], dim=1))
        return out[:, :img.shape[1]], out[:, img.shape[1]:]
