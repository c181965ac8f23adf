from typing import Optional, Sequence

import torch
import torch.nn as nn

from mmbrain.registry import MODELS
from .base import BaseBrainEncoder, BrainFeatures, Lengths, RoiTensors
from .linear_encoder import pad_to


def residual_mlp(dims: int, num_blocks: int, drop_rate: float) -> nn.Module:
    """MindEye2's MLP backbone: ``x + Dropout(GELU(LN(Linear(x))))`` blocks,
    on the last dimension."""
    return nn.ModuleList(
        nn.Sequential(
            nn.Linear(dims, dims), nn.LayerNorm(dims), nn.GELU(),
            nn.Dropout(drop_rate)) for _ in range(num_blocks))


@MODELS.register_module()
class MindEyeBrainEncoder(BaseBrainEncoder):
    """The MindEye2-style brain model of NEURONS: a linear map per subject
    into a latent shared by all subjects, then a residual MLP.

    Only the first step depends on the subject: ``z = W_s x + b_s`` for a
    sample of subject s. Its columns are grouped by ROI group, each group
    ``num_voxels[k]`` wide; a subject with fewer voxels in group k uses the
    first ones (the rest multiply zeros), so samples of subjects with
    different voxel counts share a batch, and a new subject needs only its
    own map (add it to ``subjects``; load the rest with ``strict=False``).

    - ``roi_tokens=False`` (MindEye): one map over all groups' voxels gives
      one latent token; ``q = proj(MLP(z))`` and no ROI features, so the
      head's guidance loss must be off.
    - ``roi_tokens=True``: one map per ROI group gives R tokens, each through
      the same MLP; ``q̄^k = roi_proj(MLP(z^k))``,
      ``q = proj(mean_k MLP(z^k))``.

    The map is linear, so mixing two samples' latents of one subject equals
    mapping their mixed voxels: BiMixCo mixes ``embed``'s output (see
    :class:`BrainGuidedPretrainer`), across subjects too.

    Args:
        num_voxels (Sequence[int]): Largest voxel count of each ROI group
            over the subjects (``prepare_nsd.py`` prints each subject's).
        subjects (Sequence[int]): Subjects with a map.
        latent_dims (int): Width L of the shared latent and the MLP.
        embed_dims (int): d of q (and q̄). Defaults to 768.
        num_blocks (int): Residual MLP blocks. Defaults to 4 (MindEye2).
        drop_rate (float): Dropout in the blocks. Defaults to 0.15.
        roi_tokens (bool): One latent token per ROI group. Defaults to False.
    """
    has_shared_latent = True

    def __init__(self,
                 num_voxels: Sequence[int],
                 subjects: Sequence[int],
                 latent_dims: int,
                 embed_dims: int = 768,
                 num_blocks: int = 4,
                 drop_rate: float = 0.15,
                 roi_tokens: bool = False,
                 init_cfg=None):
        super().__init__(
            len(num_voxels), embed_dims, roi_features=roi_tokens,
            init_cfg=init_cfg)
        self.num_voxels = list(num_voxels)
        rois = range(self.num_rois)
        self.groups = [[k] for k in rois] if roi_tokens else [list(rois)]
        self.subject_maps = nn.ModuleDict({
            str(s): nn.ModuleList(
                nn.Linear(sum(self.num_voxels[k] for k in group), latent_dims)
                for group in self.groups)
            for s in subjects
        })
        self.blocks = residual_mlp(latent_dims, num_blocks, drop_rate)
        self.norm = nn.LayerNorm(latent_dims)
        self.proj = nn.Linear(latent_dims, embed_dims)
        self.roi_proj = (
            nn.Linear(latent_dims, embed_dims) if roi_tokens else None)

    def embed(self, fmri: RoiTensors, mask: RoiTensors,
              subject: Optional[torch.Tensor]) -> torch.Tensor:
        """Per ROI k (N, V_k) responses and bool masks, and the (N,)
        subjects -> the shared latent, (N, T, L) with T = R or 1."""
        if subject is None:
            raise ValueError(
                'MindEyeBrainEncoder needs each sample\'s subject '
                "(inputs['subject'] from BrainDataPreprocessor)")
        padded = pad_to(fmri, mask, self.num_voxels)
        # per group, (N, Σ num_voxels[k]) responses
        groups = [torch.cat([padded[k] for k in g], dim=1)
                  for g in self.groups]
        outputs, order = [], []
        for s in subject.unique().tolist():
            if str(s) not in self.subject_maps:
                raise KeyError(
                    f'subject {s} has no map in MindEyeBrainEncoder (it has '
                    f'{sorted(int(k) for k in self.subject_maps)}); add it '
                    'to model.brain_encoder.subjects')
            rows = (subject == s).nonzero().squeeze(1)
            maps = self.subject_maps[str(s)]
            outputs.append(
                torch.stack([m(x[rows]) for m, x in zip(maps, groups)], 1))
            order.append(rows)
        # back to the batch's order (out of place: autocast-safe)
        return torch.cat(outputs)[torch.cat(order).argsort()]

    def decode(self, latent: torch.Tensor) -> BrainFeatures:
        """(N, T, L) latent -> q (N, d) and q̄ (N, R, d) (None without ROI
        tokens)."""
        x = latent
        for block in self.blocks:
            x = x + block(x)
        x = self.norm(x)
        rois = self.roi_proj(x) if self.roi_features else None
        return self.proj(x.mean(1)), rois

    def forward(self,
                fmri: RoiTensors,
                coords: RoiTensors,
                rows: torch.Tensor,
                mask: RoiTensors,
                subject: Optional[torch.Tensor] = None,
                lengths: Optional[Lengths] = None) -> BrainFeatures:
        """Inputs as :class:`BrainformerEncoder` (coordinates unused) plus
        the (N,) ``subject`` of each sample; returns q (N, d) and q̄ (N, R, d)
        or None."""
        return self.decode(self.embed(fmri, mask, subject))
