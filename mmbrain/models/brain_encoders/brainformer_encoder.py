from typing import List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from timm.models.vision_transformer import Block

from mmbrain.registry import MODELS
from .base import BaseBrainEncoder, BrainFeatures, RoiTensors
from .roi_transformer_block import RoiTransformerBlock
from .windowing import make_windows, num_windows


def masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean over dim -2 of ``x`` (..., L, C) where ``mask`` (..., L)."""
    weights = mask.to(x.dtype)[..., None]
    return (x * weights).sum(-2) / weights.sum(-2).clamp(min=1)


@MODELS.register_module()
class BrainformerEncoder(BaseBrainEncoder):
    """The Brainformer fMRI encoder (Nguyen et al., Algorithm 1).

    Per ROI k:

    1. **Tokenizer**: a Conv1D (``kernel_size``, ``token_stride``) over the
       ROI's voxel signal; a sample of V voxels gives
       ``max(1, ceil((V - kernel) / stride) + 1)`` tokens, zero-padded at
       the end.
    2. **Embedding** (``embed_type``): ``'voxel'`` adds the 3D voxel
       embedding ``Linear(x, y, z)`` averaged over each token's receptive
       field. A Linear map commutes with averaging, so it is computed as the
       Linear of the mean coordinate of the token's (valid) voxels: no
       d-vector per voxel is ever made. ``'pos'`` (the paper's ablation)
       adds a learned embedding of the token's position instead.
    3. **Multi-scale transformer**: at each of ``num_levels`` levels the
       sequence is cut into windows of ``window_size`` tokens every
       ``window_stride`` tokens; each window goes through the level's block
       (weights per ROI) and its masked mean becomes one token of the next
       level's sequence. All windows of all ROIs and samples run in one
       attention call per level.
    4. One more per-ROI block over the last sequence, masked-mean pooled,
       gives the ROI feature ``q̄^k``; a block across the ROI features,
       mean-pooled and normalised, gives the global brain feature ``q``.

    Padded voxels (``mask`` False) never change any output: token and window
    counts depend only on each sample's own length, padded positions are
    masked out of every attention and every mean.

    Args:
        num_rois (int): ROIs R. Defaults to 6.
        embed_dims (int): d_r. Defaults to 768.
        kernel_size (int): Conv1D kernel over voxels. Defaults to 32.
        token_stride (int): Conv1D stride. Defaults to 16.
        window_size (int): Window w in tokens. Defaults to 64.
        window_stride (int): Window stride s. Defaults to 32.
        num_levels (int): Levels h. Defaults to 2.
        num_heads (int): Attention heads. Defaults to 8.
        mlp_ratio (float): MLP width over d_r. Defaults to 4.
        embed_type (str): ``'voxel'`` or ``'pos'``. Defaults to ``'voxel'``.
        coord_scale (float): Coordinates (mm) are divided by this before the
            voxel embedding. Defaults to 100.
        max_tokens (int): Longest token sequence of ``'pos'``. Defaults to
            4096.
        init_cfg (dict, optional): mmengine initialisation config.
    """

    def __init__(self,
                 num_rois: int = 6,
                 embed_dims: int = 768,
                 kernel_size: int = 32,
                 token_stride: int = 16,
                 window_size: int = 64,
                 window_stride: int = 32,
                 num_levels: int = 2,
                 num_heads: int = 8,
                 mlp_ratio: float = 4.,
                 embed_type: str = 'voxel',
                 coord_scale: float = 100.,
                 max_tokens: int = 4096,
                 init_cfg=None):
        super().__init__(num_rois, embed_dims, init_cfg=init_cfg)
        if embed_type not in ('voxel', 'pos'):
            raise ValueError(f"embed_type must be 'voxel' or 'pos', got "
                             f'{embed_type!r}')
        if window_stride > window_size or token_stride > kernel_size:
            raise ValueError('strides larger than their windows would skip '
                             'tokens/voxels')
        self.kernel_size = kernel_size
        self.token_stride = token_stride
        self.window_size = window_size
        self.window_stride = window_stride
        self.embed_type = embed_type
        self.coord_scale = coord_scale
        self.max_tokens = max_tokens

        self.tokenizers = nn.ModuleList(
            nn.Conv1d(1, embed_dims, kernel_size, token_stride)
            for _ in range(num_rois))
        if embed_type == 'voxel':
            self.voxel_embed = nn.Linear(3, embed_dims)
        else:
            self.pos_embed = nn.Parameter(
                torch.zeros(num_rois, max_tokens, embed_dims))
            nn.init.trunc_normal_(self.pos_embed, std=.02)
        self.levels = nn.ModuleList(
            RoiTransformerBlock(num_rois, embed_dims, num_heads, mlp_ratio)
            for _ in range(num_levels))
        self.roi_block = RoiTransformerBlock(num_rois, embed_dims, num_heads,
                                             mlp_ratio)
        self.cross_roi = Block(
            embed_dims, num_heads, mlp_ratio, qkv_bias=True)
        self.norm = nn.LayerNorm(embed_dims)

    def tokenize(self, k: int, fmri: torch.Tensor, coords: torch.Tensor,
                 mask: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Tokens of ROI k.

        Args:
            fmri (Tensor): (N, V) responses, padded.
            coords (Tensor): (N, V, 3) voxel positions in mm.
            mask (Tensor): (N, V) bool, True on real voxels.

        Returns:
            tuple: (N, T, d) tokens and their (N, T) bool mask.
        """
        counts = num_windows(mask.sum(1), self.kernel_size, self.token_stride)
        num_tokens = int(counts.max())
        length = (num_tokens - 1) * self.token_stride + self.kernel_size
        weights = F.pad(mask.to(fmri.dtype), (0, length - mask.shape[1]))
        signal = F.pad(fmri, (0, length - fmri.shape[1])) * weights
        tokens = self.tokenizers[k](signal[:, None]).transpose(1, 2)
        if self.embed_type == 'voxel':
            # mean coordinate of each token's valid voxels, (N, T, 3)
            xyz = F.pad(coords, (0, 0, 0, length - coords.shape[1]))
            xyz = (xyz * weights[..., None]).transpose(1, 2)
            sums = F.avg_pool1d(xyz, self.kernel_size, self.token_stride)
            n = F.avg_pool1d(weights[:, None], self.kernel_size,
                             self.token_stride)
            mean_xyz = (sums / n.clamp(min=1e-6)).transpose(1, 2)
            tokens = tokens + self.voxel_embed(mean_xyz / self.coord_scale)
        else:
            if num_tokens > self.max_tokens:
                raise ValueError(f'{num_tokens} tokens exceed max_tokens '
                                 f'{self.max_tokens} of the pos embedding')
            tokens = tokens + self.pos_embed[k, :num_tokens]
        token_mask = torch.arange(
            num_tokens, device=fmri.device)[None] < counts[:, None]
        return tokens, token_mask

    def forward(self, fmri: RoiTensors, coords: RoiTensors, mask: RoiTensors,
                subject: Optional[torch.Tensor] = None) -> BrainFeatures:
        """
        Args:
            fmri (Sequence[Tensor]): Per ROI k, (N, V_k) responses.
            coords (Sequence[Tensor]): Per ROI k, (N, V_k, 3) in mm.
            mask (Sequence[Tensor]): Per ROI k, (N, V_k) bool.
            subject (Tensor, optional): (N,) subjects; unused (one encoder
                serves every subject).

        Returns:
            tuple: global feature q (N, d) and ROI features q̄ (N, R, d).
        """
        if len(fmri) != self.num_rois:
            raise ValueError(f'expected {self.num_rois} ROIs, got '
                             f'{len(fmri)}')
        seqs, masks = zip(*[
            self.tokenize(k, *inputs)
            for k, inputs in enumerate(zip(fmri, coords, mask))
        ])
        n = len(fmri[0])
        for block in self.levels:
            windows = [
                make_windows(x, m, self.window_size, self.window_stride)
                for x, m in zip(seqs, masks)
            ]
            flat = [w.flatten(0, 1) for w, _, _ in windows]  # (N*W, w, d)
            flat_masks = [m.flatten(0, 1) for _, m, _ in windows]
            outs = block(flat, flat_masks)
            seqs = [
                masked_mean(o, m).view(n, -1, self.embed_dims)
                for o, m in zip(outs, flat_masks)
            ]  # one token per window: (N, W, d)
            masks = [win_mask for _, _, win_mask in windows]
        roi_feats = self._pool_rois(seqs, masks)  # (N, R, d)
        brain = self.norm(self.cross_roi(roi_feats).mean(1))
        return brain, roi_feats

    def _pool_rois(self, seqs: List[torch.Tensor],
                   masks: List[torch.Tensor]) -> torch.Tensor:
        """The per-ROI block over each ROI's last sequence, mean-pooled."""
        length = max(x.shape[1] for x in seqs)
        seqs = [F.pad(x, (0, 0, 0, length - x.shape[1])) for x in seqs]
        masks = [F.pad(m, (0, length - m.shape[1])) for m in masks]
        outs = self.roi_block(seqs, masks)
        return torch.stack([masked_mean(o, m) for o, m in zip(outs, masks)],
                           dim=1)
