from typing import List

import torch
import torch.nn as nn
import torch.nn.functional as F
from timm.layers import Mlp


class RoiTransformerBlock(nn.Module):
    """Pre-norm transformer blocks, one set of weights per ROI, whose
    attention runs as one ``scaled_dot_product_attention`` call for the
    windows of all ROIs and samples.

    The linear layers run once per ROI on all of that ROI's windows (large
    matmuls); the windows of every ROI are concatenated for the attention.

    Args:
        num_rois (int): Number of ROIs R (weight sets).
        dim (int): Token width d.
        num_heads (int): Attention heads.
        mlp_ratio (float): Hidden width of the MLP over ``dim``.
    """

    def __init__(self,
                 num_rois: int,
                 dim: int,
                 num_heads: int,
                 mlp_ratio: float = 4.):
        super().__init__()
        if dim % num_heads:
            raise ValueError(f'dim {dim} is not divisible by num_heads '
                             f'{num_heads}')
        self.num_heads = num_heads

        def per_roi(make):
            return nn.ModuleList(make() for _ in range(num_rois))

        self.norm1 = per_roi(lambda: nn.LayerNorm(dim))
        self.qkv = per_roi(lambda: nn.Linear(dim, 3 * dim))
        self.proj = per_roi(lambda: nn.Linear(dim, dim))
        self.norm2 = per_roi(lambda: nn.LayerNorm(dim))
        self.mlp = per_roi(lambda: Mlp(dim, int(dim * mlp_ratio)))

    def forward(self, xs: List[torch.Tensor],
                masks: List[torch.Tensor]) -> List[torch.Tensor]:
        """
        Args:
            xs (list[Tensor]): Per ROI r, (B_r, L, d) sequences (windows).
                All share L.
            masks (list[Tensor]): Per ROI, (B_r, L) bool, True on the
                tokens that may be attended to.

        Returns:
            list[Tensor]: Per ROI, (B_r, L, d).
        """
        sizes = [len(x) for x in xs]
        qkv = torch.cat(
            [self.qkv[r](self.norm1[r](x)) for r, x in enumerate(xs)])
        b, length, _ = qkv.shape
        q, k, v = qkv.view(b, length, 3, self.num_heads, -1).permute(
            2, 0, 3, 1, 4)  # 3 x (B, heads, L, d/heads)
        mask = torch.cat(masks)
        # a window with no valid token attends to its first one, so that
        # no NaN appears; such windows are discarded by the caller
        mask = mask | (~mask.any(1, keepdim=True) &
                       (torch.arange(length, device=mask.device) == 0))
        out = F.scaled_dot_product_attention(
            q, k, v, attn_mask=mask[:, None, None, :])
        out = out.transpose(1, 2).reshape(b, length, -1).split(sizes)
        xs = [x + self.proj[r](o) for r, (x, o) in enumerate(zip(xs, out))]
        return [x + self.mlp[r](self.norm2[r](x)) for r, x in enumerate(xs)]
