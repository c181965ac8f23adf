import torch
import torch.nn as nn
import torch.nn.functional as F

from mmbrain.registry import MODELS
from .contrastive_loss import gather_pair

NEGATIVES = ('rois', 'batch', 'batch+rois')


def brain_guidance_loss(img_rois: torch.Tensor, brain_rois: torch.Tensor,
                        temperature: float = 1.) -> torch.Tensor:
    """Brain fMRI Guidance loss of the paper (Eq. 6).

    ``L = -1/N Σ_i Σ_k log( exp(p̄_i^k·q̄_i^k/τ) / Σ_g exp(p̄_i^k·q̄_i^g/τ) )``:
    per sample, the ROI-k image feature must match the ROI-k brain feature
    against the other ROIs' brain features of the same sample.

    Args:
        img_rois (Tensor): (N, R, d) local image features p̄.
        brain_rois (Tensor): (N, R, d) ROI brain features q̄.
        temperature (float): τ; 1 gives the paper's equation.
    """
    n, r, _ = img_rois.shape
    logits = torch.einsum('nkd,ngd->nkg', img_rois, brain_rois) / temperature
    target = torch.arange(r, device=logits.device).expand(n, r)
    return F.cross_entropy(
        logits.reshape(n * r, r), target.reshape(-1),
        reduction='sum') / n


def roi_batch_guidance_loss(img_rois: torch.Tensor, brain_rois: torch.Tensor,
                            all_img_rois: torch.Tensor,
                            all_brain_rois: torch.Tensor,
                            offset: int = 0,
                            temperature: float = 1.,
                            cross_roi: bool = False) -> torch.Tensor:
    """Guidance with negatives from the other samples, in both directions.

    For ROI k of local sample i the positive is the other modality's ROI-k
    feature of sample i, the negatives its ROI-k features of every other
    sample j of the global batch (``cross_roi``: its features of every ROI g
    of every sample, the paper's ROI negatives included). Summed over ROIs,
    averaged over samples, image->brain plus brain->image.

    Args:
        img_rois (Tensor): (n, R, d) local image features p̄ of this rank.
        brain_rois (Tensor): (n, R, d) ROI brain features q̄ of this rank.
        all_img_rois (Tensor): (M, R, d) p̄ of the global batch.
        all_brain_rois (Tensor): (M, R, d) q̄ of the global batch.
        offset (int): Index of the first local row in the global batch.
        temperature (float): τ.
        cross_roi (bool): Also rank against the other ROIs' features.
    """
    n, r, _ = img_rois.shape
    rows = torch.arange(n, device=img_rois.device) + offset
    rois = torch.arange(r, device=img_rois.device)

    def one_way(query, keys):
        if cross_roi:  # candidates (j, g) flattened to j * R + g
            logits = torch.einsum('nkd,mgd->nkmg', query, keys).flatten(2)
            target = rows[:, None] * r + rois[None]
        else:  # candidates j, ROI k only
            logits = torch.einsum('nkd,mkd->nkm', query, keys)
            target = rows[:, None].expand(n, r)
        return F.cross_entropy(
            logits.flatten(0, 1) / temperature, target.reshape(-1),
            reduction='sum') / n

    return one_way(img_rois, all_brain_rois) + one_way(
        brain_rois, all_img_rois)


@MODELS.register_module()
class BrainGuidanceLoss(nn.Module):
    """The Brain fMRI Guidance loss, with a choice of negatives.

    - ``'rois'``: the paper's Eq. 6 (:func:`brain_guidance_loss`); the
      negatives are the sample's own other ROIs. A constant vector per ROI
      solves it, so it need not look at the image.
    - ``'batch'``: per ROI, InfoNCE across the (DDP-gathered) batch
      (:func:`roi_batch_guidance_loss`); the ROI-k image feature must pick
      its own sample's ROI-k brain feature, which only the image tells.
    - ``'batch+rois'``: both sets of negatives.

    Args:
        temperature (float): τ. Defaults to 0.1 (on normalised features).
        normalize (bool): L2-normalise the features first. Defaults to True;
            ``negatives='rois', normalize=False, temperature=1`` is the
            paper's equation on raw features.
        negatives (str): ``'rois'``, ``'batch'`` or ``'batch+rois'``.
            Defaults to ``'rois'``.
        loss_weight (float): λ_bfg. Defaults to 0.5.
    """

    def __init__(self,
                 temperature: float = 0.1,
                 normalize: bool = True,
                 negatives: str = 'rois',
                 loss_weight: float = 0.5):
        super().__init__()
        if negatives not in NEGATIVES:
            raise ValueError(f'negatives must be one of {NEGATIVES}, '
                             f'got {negatives!r}')
        self.temperature = temperature
        self.normalize = normalize
        self.negatives = negatives
        self.loss_weight = loss_weight

    def forward(self, img_rois: torch.Tensor,
                brain_rois: torch.Tensor) -> torch.Tensor:
        """(n, R, d) image and brain ROI features of this rank -> weighted
        loss."""
        if self.normalize:
            img_rois = F.normalize(img_rois, dim=-1)
            brain_rois = F.normalize(brain_rois, dim=-1)
        if self.negatives == 'rois':
            loss = brain_guidance_loss(img_rois, brain_rois, self.temperature)
        else:
            all_img, all_brain, offset = gather_pair(img_rois, brain_rois)
            loss = roi_batch_guidance_loss(
                img_rois, brain_rois, all_img, all_brain, offset,
                self.temperature, cross_roi=self.negatives == 'batch+rois')
        return self.loss_weight * loss
