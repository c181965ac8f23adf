from abc import ABCMeta, abstractmethod
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.model import BaseModule

# p (N, d), p̄ (N, R, d) and the (N, R, h, w) ROI attention or None
ImageFeatures = Tuple[torch.Tensor, torch.Tensor, Optional[torch.Tensor]]


class BaseBrainHead(BaseModule, metaclass=ABCMeta):
    """A head on the image backbone: it takes the backbone's last output,
    ``feats`` (N, C, h, w) (or (N, C) from a backbone that pools), and owns
    its losses.

    The pretrainers take one of its two kinds: :class:`BaseAlignHead`
    (contrastive alignment: ``BrainGuidedPretrainer``,
    ``CaptionContrastivePretrainer``) or :class:`BaseReadoutHead`
    (regression: ``ResponseRegressionPretrainer``).

    Args:
        num_rois (int): ROI groups R.
    """

    def __init__(self, num_rois: int, init_cfg=None):
        super().__init__(init_cfg)
        self.num_rois = num_rois

    @abstractmethod
    def forward(self, feats: torch.Tensor, *args):
        """Image features -> the head's outputs."""

    @abstractmethod
    def loss(self, feats: torch.Tensor, *args):
        """Image features and the targets -> the loss(es)."""


class BaseAlignHead(BaseBrainHead):
    """What the aligning pretrainers rely on: image features p, p̄ in a space
    of d dims, contrasted with the paired features q, q̄ (the brain encoder's,
    or the captions' q alone).

    Attributes the subclass sets (after its own layers):

    - ``contrastive_loss``: p (N, d), q (N, d) -> a scalar; it has a
      ``temperature``, which the head logs;
    - ``guidance_loss``: p̄ (N, R, d), q̄ (N, R, d) -> a scalar, or None (then
      the head needs no q̄);
    - ``fusion``: (N, 1 + R, d) image and brain tokens -> the same, fused
      (:class:`CrossModalFusion`), or None.

    Args:
        num_rois (int): ROI groups R.
        embed_dims (int): d.
    """
    contrastive_loss: nn.Module
    guidance_loss: Optional[nn.Module]
    fusion: Optional[nn.Module]

    def __init__(self, num_rois: int, embed_dims: int, init_cfg=None):
        super().__init__(num_rois, init_cfg)
        self.embed_dims = embed_dims

    @abstractmethod
    def forward(self, feats: torch.Tensor) -> ImageFeatures:
        """(N, C, h, w) or (N, C) features -> p (N, d), p̄ (N, R, d) and the
        (N, R, h, w) ROI attention (None where the head has none)."""

    @abstractmethod
    def loss(self,
             feats: torch.Tensor,
             brain: torch.Tensor,
             brain_rois: Optional[torch.Tensor],
             mix: Optional[Tuple[torch.Tensor, torch.Tensor]] = None
             ) -> Dict[str, torch.Tensor]:
        """Features (N, C, h, w) or (N, C), q (N, d) (of mixed inputs where
        ``mix``, the (N,) partners and weights of :func:`mixco`, is given)
        and q̄ (N, R, d) or None -> ``loss_contrastive``, ``loss_guidance``
        (where ``guidance_loss``) and the logged ``temperature`` and
        ``global_batch``."""

    def fuse(self, img: torch.Tensor, img_rois: torch.Tensor,
             brain: torch.Tensor, brain_rois: Optional[torch.Tensor]):
        """p (N, d), p̄ (N, R, d), q (N, d), q̄ (N, R, d) -> the same after
        the fusion block (unchanged without one)."""
        if self.fusion is None:
            return img, img_rois, brain, brain_rois
        if brain_rois is None:
            raise ValueError('the fusion block needs the brain encoder\'s '
                             'ROI features q̄, and this encoder gives none')
        img_tokens, brain_tokens = self.fusion(
            torch.cat([img[:, None], img_rois], dim=1),
            torch.cat([brain[:, None], brain_rois], dim=1))
        return (img_tokens[:, 0], img_tokens[:, 1:], brain_tokens[:, 0],
                brain_tokens[:, 1:])


class BaseReadoutHead(BaseBrainHead):
    """What ``ResponseRegressionPretrainer`` relies on: per-group responses
    predicted from the image features, one readout per subject or shared.
    """

    @abstractmethod
    def forward(self,
                feats: torch.Tensor,
                subject: Optional[torch.Tensor] = None) -> List[torch.Tensor]:
        """(N, C, h, w) features and the (N,) subjects -> per group k, (N,
        V_k) predictions, V_k the group's outputs."""

    @abstractmethod
    def loss(self,
             feats: torch.Tensor,
             targets: Sequence[torch.Tensor],
             masks: Optional[Sequence[torch.Tensor]] = None,
             subject: Optional[torch.Tensor] = None) -> torch.Tensor:
        """(N, C, h, w) features, per group k (N, V_k) targets and their
        (N, V_k) bool masks (None: all real), and the (N,) subjects -> the
        scalar loss."""
