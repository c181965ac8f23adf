from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from timm.models.vision_transformer import Block

from mmbrain.registry import MODELS
from mmbrain.utils.user_errors import check_heads
from .base import BaseBrainEncoder, BrainFeatures, Lengths, RoiTensors
from .packing import BrainPlan, make_plan
from .roi_transformer_block import RoiTransformerBlock


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
       (weights per ROI) and its mean becomes one token of the next level's
       sequence.
    4. One more per-ROI block over the last sequence, mean-pooled, gives the
       ROI feature ``q̄^k``; a block across the ROI features, mean-pooled
       and normalised, gives the global brain feature ``q``.

    The tokens are packed: a batch's :class:`BrainPlan`, made on the host
    from its voxel counts, says where each token and window comes from, so
    that every layer runs on the valid tokens only, padded voxels never
    change any output, and :meth:`forward_packed` reads nothing back from
    the device (it compiles to one graph). LayerNorm and QKV run once per
    token however many windows hold it.

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
        check_heads('BrainformerEncoder (model.brain_encoder)', embed_dims,
                    num_heads)
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

    def plan(self, lengths: Lengths,
             device: Optional[torch.device] = None) -> BrainPlan:
        """The :class:`BrainPlan` of a batch of ``lengths[k][n]`` voxels
        (host ints), on ``device``."""
        plan = make_plan(lengths, self.kernel_size, self.token_stride,
                         self.window_size, self.window_stride,
                         len(self.levels))
        if self.embed_type == 'pos' and plan.max_tokens > self.max_tokens:
            raise ValueError(f'{plan.max_tokens} tokens exceed max_tokens '
                             f'{self.max_tokens} of the pos embedding')
        return plan.to(device, non_blocking=True)

    def tokenize(self, k: int, fmri: torch.Tensor, coords: torch.Tensor,
                 rows: torch.Tensor, plan: BrainPlan) -> torch.Tensor:
        """(N, V) responses of ROI k (padded), its (S, V, 3) coordinates
        per subject and the samples' (N,) rows of them -> its (T, d) packed
        tokens.

        Each token is the Conv1D of its receptive field (gathered, zero past
        the sample's voxels) plus the embedding of the mean coordinate of
        its valid voxels (gathered from its sample's row), or of its
        position."""
        voxels = plan.voxels[k]  # (T, kernel), N * V past a sample's voxels
        signal = torch.cat([fmri.flatten(), fmri.new_zeros(1)])[voxels]
        conv = self.tokenizers[k]
        tokens = F.linear(signal, conv.weight[:, 0], conv.bias)
        if self.embed_type == 'voxel':
            width = fmri.shape[1]
            # flat voxel n * V + j -> rows[n] * V + j of the flat table, and
            # the sentinel N * V -> S * V, a zero row
            starts = torch.cat([rows, rows.new_full((1, ), len(coords))])
            index = starts[voxels // width] * width + voxels % width
            xyz = torch.cat([coords.flatten(0, 1), coords.new_zeros(1, 3)])
            mean_xyz = xyz[index].sum(1) / plan.voxel_count[k]
            return tokens + self.voxel_embed(mean_xyz / self.coord_scale)
        return tokens + self.pos_embed[k][plan.token_pos[k]]

    def forward(self,
                fmri: RoiTensors,
                coords: RoiTensors,
                rows: torch.Tensor,
                mask: RoiTensors,
                subject: Optional[torch.Tensor] = None,
                lengths: Optional[Lengths] = None) -> BrainFeatures:
        """
        Args:
            fmri (Sequence[Tensor]): Per ROI k, (N, V_k) responses.
            coords (Sequence[Tensor]): Per ROI k, (S, V_k, 3) in mm, once
                per subject.
            rows (Tensor): (N,) long, each sample's row of ``coords``.
            mask (Sequence[Tensor]): Per ROI k, (N, V_k) bool, a prefix.
            subject (Tensor, optional): (N,) subjects; unused (one encoder
                serves every subject).
            lengths (tuple, optional): Per ROI k, per sample, its voxel
                count (host ints, as the preprocessor gives them); without
                them they are read from ``mask``, one host sync.

        Returns:
            tuple: global feature q (N, d) and ROI features q̄ (N, R, d).
        """
        if len(fmri) != self.num_rois:
            raise ValueError(f'expected {self.num_rois} ROIs, got '
                             f'{len(fmri)}')
        if any(c.shape[1] != f.shape[1] for f, c in zip(fmri, coords)):
            raise ValueError('coords must be as wide as fmri: (S, V_k, 3) '
                             'for (N, V_k) responses (batch_brain)')
        if lengths is None:
            lengths = tuple(map(tuple, torch.stack(
                [m.sum(1) for m in mask]).tolist()))
        return self.forward_packed(fmri, coords, rows,
                                   self.plan(lengths, fmri[0].device))

    def forward_packed(self, fmri: RoiTensors, coords: RoiTensors,
                       rows: torch.Tensor, plan: BrainPlan) -> BrainFeatures:
        """:meth:`forward` on a batch's plan: no host sync and no data-
        dependent shape, so it compiles to one graph."""
        seqs = [self.tokenize(k, f, c, rows, plan)
                for k, (f, c) in enumerate(zip(fmri, coords))]
        for block, layouts in zip(self.levels, plan.levels):
            seqs = block(seqs, layouts)  # per ROI, one token per window
        roi_feats = torch.stack(self.roi_block(seqs, plan.rois), dim=1)
        brain = self.norm(self.cross_roi(roi_feats).mean(1))
        return brain, roi_feats
