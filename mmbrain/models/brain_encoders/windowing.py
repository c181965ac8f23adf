"""Lengths and windows of variable-length token sequences.

A sample's sequence of ``T`` valid tokens is cut into windows of ``w`` tokens
every ``s`` tokens: ``num_windows(T) = max(1, ceil((T - w) / s) + 1)``; the
last window is zero-padded. The same rule gives the number of Conv1D tokens
of ``V`` voxels (kernel ``w``, stride ``s``). Because both depend only on the
sample's own length, a sample gives the same tokens and windows alone or
padded in a batch with longer samples.
"""
from typing import Tuple

import torch
import torch.nn.functional as F


def num_windows(length: torch.Tensor, window: int,
                stride: int) -> torch.Tensor:
    """(N,) windows covering ``length`` valid items, at least one."""
    extra = (length - window).clamp(min=0)
    return torch.div(extra + stride - 1, stride, rounding_mode='floor') + 1


def make_windows(x: torch.Tensor, mask: torch.Tensor, window: int,
                 stride: int) -> Tuple[torch.Tensor, ...]:
    """Cut padded sequences into overlapping windows.

    Args:
        x (Tensor): (N, T, C) sequences; items past a sample's length are
            ignored.
        mask (Tensor): (N, T) bool, True on valid items (a prefix).
        window (int): Window length w.
        stride (int): Step s between window starts.

    Returns:
        tuple: windows (N, W, w, C), their item mask (N, W, w) and the
        window mask (N, W): True for the ``num_windows`` windows of each
        sample. W = num_windows of the longest sample.
    """
    n, t, c = x.shape
    lengths = mask.sum(1)
    counts = num_windows(lengths, window, stride)
    w_max = int(counts.max())
    padded = (w_max - 1) * stride + window
    x = F.pad(x, (0, 0, 0, padded - t))
    mask = F.pad(mask, (0, padded - t))
    windows = x.unfold(1, window, stride).transpose(2, 3)  # (N, W, w, C)
    item_mask = mask.unfold(1, window, stride)  # (N, W, w)
    window_mask = torch.arange(w_max, device=x.device)[None] < counts[:, None]
    return windows, item_mask & window_mask[..., None], window_mask
