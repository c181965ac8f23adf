from abc import ABCMeta, abstractmethod
from typing import Optional, Sequence, Tuple

import torch
from mmengine.model import BaseModule

# per ROI group, one (N, V_k) or (S, V_k, 3) tensor
RoiTensors = Sequence[torch.Tensor]
# q (N, d) and q̄ (N, R, d) or None
BrainFeatures = Tuple[torch.Tensor, Optional[torch.Tensor]]
# per ROI group, per sample, the voxel count (host ints)
Lengths = Tuple[Tuple[int, ...], ...]


class BaseBrainEncoder(BaseModule, metaclass=ABCMeta):
    """What a brain encoder takes and gives; the pretrainer and the head
    rely on nothing else.

    Inputs, as :func:`mmbrain.structures.batch_brain` makes them and
    :class:`BrainDataPreprocessor` gives them, per ROI group k of R (lists
    of R tensors; V_k is the longest sample's voxel count):

    - ``fmri``: (N, V_k) responses, zero past each sample's voxels;
    - ``coords``: (S, V_k, 3) voxel positions in mm, once for each of the
      batch's S distinct subjects (zero past their voxels);
    - ``rows``: (N,) long, each sample's row of ``coords`` (an encoder
      gathers the positions it needs by it);
    - ``mask``: (N, V_k) bool, True on a sample's real voxels;
    - ``subject``: (N, ) the subject of each sample, or None;
    - ``lengths``: per ROI group, per sample, the voxel count as host ints
      (the sums of ``mask``, known before the batch reaches the device), or
      None; an encoder that lays out tokens by them needs no host sync.

    Outputs of :meth:`forward`: the global brain feature q, (N, d), and the
    ROI features q̄, (N, R, d), or None where ``roi_features`` is False (then
    the head can have no guidance loss).

    An encoder with a latent shared by the subjects (``has_shared_latent``)
    also splits its forward into :meth:`embed` (inputs -> latent) and
    :meth:`decode` (latent -> q, q̄); BiMixCo mixes that latent.

    Args:
        num_rois (int): ROI groups R.
        embed_dims (int): d of q and q̄.
        roi_features (bool): Whether :meth:`forward` gives q̄.
    """
    has_shared_latent = False

    def __init__(self,
                 num_rois: int,
                 embed_dims: int,
                 roi_features: bool = True,
                 init_cfg=None):
        super().__init__(init_cfg)
        self.num_rois = num_rois
        self.embed_dims = embed_dims
        self.roi_features = roi_features

    @abstractmethod
    def forward(self,
                fmri: RoiTensors,
                coords: RoiTensors,
                rows: torch.Tensor,
                mask: RoiTensors,
                subject: Optional[torch.Tensor] = None,
                lengths: Optional[Lengths] = None) -> BrainFeatures:
        """Per ROI (N, V_k) ``fmri``, (S, V_k, 3) ``coords`` and (N, V_k)
        ``mask``, the (N,) ``rows`` of ``coords``, the (N, ) ``subject``
        and the host ``lengths`` -> q (N, d), q̄ (N, R, d) or None."""

    def embed(self, fmri: RoiTensors, mask: RoiTensors,
              subject: Optional[torch.Tensor]) -> torch.Tensor:
        """Inputs -> the shared latent (N, T, L); only where
        ``has_shared_latent``."""
        raise NotImplementedError(
            f'{type(self).__name__} has no latent shared by the subjects')

    def decode(self, latent: torch.Tensor) -> BrainFeatures:
        """The shared latent (N, T, L) -> q (N, d), q̄ (N, R, d) or None;
        only where ``has_shared_latent``."""
        raise NotImplementedError(
            f'{type(self).__name__} has no latent shared by the subjects')
