"""The layout of a batch's packed tokens and windows, made on the host.

A sample's token and window counts depend only on its voxel counts, which
the host knows before the batch reaches the device. :func:`make_plan` turns
them into index tensors, so that the encoder works on the valid tokens
only (no padding) and never reads a size back from the device.

Conventions, per ROI k: the sample's voxels sit in a padded (N, V) batch
(V = the longest sample's count), flattened to N * V positions with one
zero sentinel (index N * V) after them; the tokens of all samples are packed
in sample order, T of them; a stage's windows are numbered in sample order,
window j of a sample covering its tokens j * s .. j * s + w - 1.
"""
from dataclasses import dataclass
from functools import lru_cache
from typing import List, Sequence

import numpy as np
import torch

from .base import Lengths


def count_windows(length: np.ndarray, window: int, stride: int) -> np.ndarray:
    """Windows covering ``length`` valid items, at least one (also the
    Conv1D token count of ``length`` voxels, kernel ``window``)."""
    extra = np.maximum(length - window, 0)
    return -(-extra // stride) + 1


@dataclass
class WindowLayout:
    """One ROI's windows at one stage, over its T packed tokens.

    Windows with ``w`` valid tokens (full) and the others (tail) run apart:
    full ones without a mask, tail ones padded to a width shared by the
    ROIs. Each valid (window, token) pair is one *copy*; copies are ordered
    full windows first, then the tail windows' valid positions.

    Attributes:
        full (Tensor): (F, w) long, the token of each position.
        tail (Tensor): (B, P) long, the token of each position; past a
            window's end, its first token (a key masked out and a query
            whose output is dropped, so any row would do).
        tail_mask (Tensor): (B, P) bool, True on valid positions.
        tail_valid (Tensor): (C_t,) long, the valid positions in the
            flattened (B * P) tail windows.
        copy_token (Tensor): (C,) long, the token of each copy.
        window_order (Tensor): (W,) long, each window's (sample order)
            row among the full windows followed by the tail ones.
        count (Tensor): (W, 1) float, valid tokens per window, sample order.
    """
    full: torch.Tensor
    tail: torch.Tensor
    tail_mask: torch.Tensor
    tail_valid: torch.Tensor
    copy_token: torch.Tensor
    window_order: torch.Tensor
    count: torch.Tensor


@dataclass
class BrainPlan:
    """Where every token and window of a batch comes from.

    Attributes:
        voxels (list[Tensor]): Per ROI, (T, kernel) long, the flat padded
            voxel of each position of each token's receptive field (the
            sentinel past a sample's voxels).
        voxel_count (list[Tensor]): Per ROI, (T, 1) float, valid voxels per
            token.
        token_pos (list[Tensor]): Per ROI, (T,) long, each token's index
            within its sample.
        levels (list[list[WindowLayout]]): Per level, per ROI.
        rois (list[WindowLayout]): Per ROI, one window per sample holding its
            whole last sequence (the per-ROI block).
        max_tokens (int): The longest sample's token count (host int).
    """
    voxels: List[torch.Tensor]
    voxel_count: List[torch.Tensor]
    token_pos: List[torch.Tensor]
    levels: List[List[WindowLayout]]
    rois: List[WindowLayout]
    max_tokens: int

    def to(self, device, non_blocking: bool = False) -> 'BrainPlan':
        """The plan with every tensor on ``device``."""

        def move(x):
            if isinstance(x, torch.Tensor):
                return x.to(device, non_blocking=non_blocking)
            if isinstance(x, list):
                return [move(v) for v in x]
            if isinstance(x, WindowLayout):
                return WindowLayout(*(move(v) for v in vars(x).values()))
            return x

        return BrainPlan(*(move(v) for v in vars(self).values()))


def _layouts(lengths: Sequence[np.ndarray], width: int,
             stride: int) -> List[WindowLayout]:
    """Per ROI, the windows of ``width`` tokens every ``stride`` over
    sequences of ``lengths`` (N,) tokens."""
    windows = []  # per ROI: (offset of the first token, valid tokens)
    for length in lengths:
        num = count_windows(length, width, stride)
        first = np.concatenate([[0], np.cumsum(length)[:-1]])
        sample = np.repeat(np.arange(len(length)), num)
        j = np.arange(num.sum()) - np.repeat(np.cumsum(num) - num, num)
        start = first[sample] + j * stride
        windows.append((start, np.minimum(width, length[sample] - j * stride)))
    tail_width = max([int(c[c < width].max(initial=0)) for _, c in windows])
    layouts = []
    for start, valid in windows:
        is_full = valid == width
        full = start[is_full, None] + np.arange(width)
        pos = np.arange(tail_width)
        tail_mask = pos < valid[~is_full, None]
        tail = start[~is_full, None] + np.where(tail_mask, pos, 0)
        # the full windows, then the tail ones; inverted: each one's row
        window_order = np.argsort(np.concatenate(
            [np.flatnonzero(is_full), np.flatnonzero(~is_full)]))
        layouts.append(WindowLayout(
            full=torch.from_numpy(full),
            tail=torch.from_numpy(tail),
            tail_mask=torch.from_numpy(tail_mask),
            tail_valid=torch.from_numpy(np.flatnonzero(tail_mask)),
            copy_token=torch.from_numpy(
                np.concatenate([full.ravel(), tail[tail_mask]])),
            window_order=torch.from_numpy(window_order),
            count=torch.from_numpy(valid[:, None].astype(np.float32))))
    return layouts


@lru_cache(maxsize=256)
def make_plan(lengths: Lengths, kernel_size: int, token_stride: int,
              window_size: int, window_stride: int,
              num_levels: int) -> BrainPlan:
    """The plan of a batch whose ROI k holds ``lengths[k][n]`` voxels of
    sample n, for a :class:`BrainformerEncoder` of these settings (on the
    CPU; cached, so batches of the same subjects reuse it)."""
    voxels, voxel_count, token_pos, seqs = [], [], [], []
    max_tokens = 0
    for length in lengths:
        length = np.asarray(length, dtype=np.int64)
        tokens = count_windows(length, kernel_size, token_stride)
        sample = np.repeat(np.arange(len(length)), tokens)
        t = np.arange(tokens.sum()) - np.repeat(np.cumsum(tokens) - tokens,
                                                tokens)
        v = t[:, None] * token_stride + np.arange(kernel_size)
        valid = v < length[sample, None]
        padded = int(length.max())
        voxels.append(torch.from_numpy(np.where(
            valid, sample[:, None] * padded + v, len(length) * padded)))
        voxel_count.append(torch.from_numpy(
            valid.sum(1, keepdims=True).astype(np.float32)))
        token_pos.append(torch.from_numpy(t))
        seqs.append(tokens)
        max_tokens = max(max_tokens, int(tokens.max()))
    levels = []
    for _ in range(num_levels):
        levels.append(_layouts(seqs, window_size, window_stride))
        seqs = [count_windows(s, window_size, window_stride) for s in seqs]
    longest = max(int(s.max()) for s in seqs)
    return BrainPlan(voxels, voxel_count, token_pos, levels,
                     _layouts(seqs, longest, longest), max_tokens)
