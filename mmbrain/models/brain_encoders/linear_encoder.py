from typing import List, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmbrain.registry import MODELS
from .base import BaseBrainEncoder, BrainFeatures, Lengths, RoiTensors


def pad_to(fmri: Sequence[torch.Tensor], mask: Sequence[torch.Tensor],
           num_voxels: Sequence[int]) -> List[torch.Tensor]:
    """Per ROI k, (N, V_k) responses -> (N, num_voxels[k]), zero past each
    sample's voxels (``mask``); an error names the ROI with too many."""
    padded = []
    for k, (x, m) in enumerate(zip(fmri, mask)):
        if x.shape[1] > num_voxels[k]:
            raise ValueError(
                f'ROI {k} has {x.shape[1]} voxels, more than '
                f'num_voxels[{k}] = {num_voxels[k]}; raise '
                'model.brain_encoder.num_voxels (prepare_nsd.py prints '
                "each subject's counts)")
        padded.append(F.pad(x * m, (0, num_voxels[k] - x.shape[1])))
    return padded


@MODELS.register_module()
class LinearBrainEncoder(BaseBrainEncoder):
    """The paper's "Linear" fMRI encoding ablation: one linear layer per ROI.

    Each ROI's responses are zero-padded to ``num_voxels[k]`` and mapped to
    ``q̄^k``; the global feature is the normalised mean of the ROI features.
    Voxel coordinates are not used.

    Args:
        num_voxels (Sequence[int]): Largest voxel count of each ROI over the
            subjects used.
        embed_dims (int): d_r. Defaults to 768.
    """

    def __init__(self,
                 num_voxels: Sequence[int],
                 embed_dims: int = 768,
                 init_cfg=None):
        super().__init__(len(num_voxels), embed_dims, init_cfg=init_cfg)
        self.num_voxels = list(num_voxels)
        self.proj = nn.ModuleList(
            nn.Linear(v, embed_dims) for v in self.num_voxels)
        self.norm = nn.LayerNorm(embed_dims)

    def forward(self,
                fmri: RoiTensors,
                coords: RoiTensors,
                rows: torch.Tensor,
                mask: RoiTensors,
                subject: Optional[torch.Tensor] = None,
                lengths: Optional[Lengths] = None) -> BrainFeatures:
        """Same inputs and outputs as :class:`BrainformerEncoder`."""
        roi_feats = torch.stack([
            proj(x)
            for proj, x in zip(self.proj, pad_to(fmri, mask, self.num_voxels))
        ], dim=1)  # (N, R, d)
        return self.norm(roi_feats.mean(1)), roi_feats
