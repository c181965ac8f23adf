from typing import List, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from timm.layers import Mlp

from mmbrain.utils.user_errors import check_heads
from .packing import WindowLayout


class RoiTransformerBlock(nn.Module):
    """Pre-norm transformer blocks, one set of weights per ROI, over the
    windows of packed token sequences (:class:`WindowLayout`).

    The linear layers run once per ROI on all of that ROI's tokens or
    copies (large matmuls); the windows of every ROI are concatenated for
    the attention: one ``scaled_dot_product_attention`` call for the full
    windows (no mask, so fused kernels apply) and one for the tail windows.

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
        check_heads('RoiTransformerBlock', dim, num_heads)
        self.num_heads = num_heads

        def per_roi(make):
            return nn.ModuleList(make() for _ in range(num_rois))

        self.norm1 = per_roi(lambda: nn.LayerNorm(dim))
        self.qkv = per_roi(lambda: nn.Linear(dim, 3 * dim))
        self.proj = per_roi(lambda: nn.Linear(dim, dim))
        self.norm2 = per_roi(lambda: nn.LayerNorm(dim))
        self.mlp = per_roi(lambda: Mlp(dim, int(dim * mlp_ratio)))

    def attend(self, qkv: torch.Tensor,
               mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """(B, L, 3d) queries, keys and values of B windows, and their
        (B, L) bool key mask (None: every position valid) -> (B, L, d)."""
        b, length, _ = qkv.shape
        if not b * length:  # a stage may have no full (or no tail) window
            return qkv.new_zeros(b, length, qkv.shape[2] // 3)
        q, k, v = qkv.view(b, length, 3, self.num_heads, -1).permute(
            2, 0, 3, 1, 4)  # 3 x (B, heads, L, d/heads)
        out = F.scaled_dot_product_attention(
            q, k, v, attn_mask=None if mask is None else mask[:, None, None])
        return out.transpose(1, 2).reshape(b, length, -1)

    def forward(self, xs: List[torch.Tensor],
                layouts: List[WindowLayout]) -> List[torch.Tensor]:
        """The block on every window of every ROI, each window reduced to
        the mean of its outputs.

        LayerNorm and QKV run once per token, and the windows gather their
        results; full windows attend without a mask, tail windows with one;
        the projection and MLP run on the valid (window, token) copies.

        Args:
            xs (list[Tensor]): Per ROI r, (T_r, d) packed tokens.
            layouts (list[WindowLayout]): Per ROI, its windows over them.

        Returns:
            list[Tensor]: Per ROI, (W_r, d): one token per window.
        """
        full, tail = [], []
        for r, (x, lay) in enumerate(zip(xs, layouts)):
            qkv = self.qkv[r](self.norm1[r](x))  # (T, 3d)
            full.append(gather_rows(qkv, lay.full))
            tail.append(gather_rows(qkv, lay.tail))
        full = self.attend(torch.cat(full)).split(
            [len(lay.full) for lay in layouts])
        tail = self.attend(torch.cat(tail), torch.cat(
            [lay.tail_mask for lay in layouts])).split(
                [len(lay.tail) for lay in layouts])
        outs = []
        for r, (x, lay) in enumerate(zip(xs, layouts)):
            att = torch.cat([full[r].flatten(0, 1),
                             gather_rows(tail[r].flatten(0, 1),
                                         lay.tail_valid)])
            y = gather_rows(x, lay.copy_token) + self.proj[r](att)  # (C, d)
            y = y + self.mlp[r](self.norm2[r](y))
            outs.append(window_means(y, lay))
        return outs


def gather_rows(x: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """(M, ...) rows of ``x`` at ``index`` (any shape) -> (*index.shape,
    ...). ``index_select``, whose backward adds whole rows, where advanced
    indexing's backward accumulates element by element (serially on the
    CPU)."""
    return x.index_select(0, index.flatten()).view(*index.shape, *x.shape[1:])


def window_means(y: torch.Tensor, lay: WindowLayout) -> torch.Tensor:
    """(C, d) outputs of a layout's copies -> (W, d) the mean of each
    window, in sample order. Full windows' copies are consecutive rows of
    ``w`` (a reshape); tail windows' are placed in their padded (B, P)
    grid, zeros elsewhere."""
    (num_full, width), dim = lay.full.shape, y.shape[1]
    full = y[:num_full * width].view(num_full, width, dim).sum(1)
    tail = y.new_zeros(lay.tail.numel(), dim).index_copy(
        0, lay.tail_valid, y[num_full * width:])
    sums = torch.cat([full, tail.view(*lay.tail.shape, dim).sum(1)])
    return sums.index_select(0, lay.window_order) / lay.count.to(y.dtype)
