import torch
import torch.nn as nn
import torch.nn.functional as F

from mmbrain.registry import MODELS


def brain_guidance_loss(img_rois: torch.Tensor, brain_rois: torch.Tensor,
                        temperature: float = 1.) -> torch.Tensor:
    """Brain fMRI Guidance loss.

    ``L = -1/N Σ_i Σ_k log( exp(p̄_i^k·q̄_i^k/τ) / Σ_g exp(p̄_i^k·q̄_i^g/τ) )``:
    per sample, the ROI-k image feature must match the ROI-k brain feature
    against the other ROIs' brain features.

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


@MODELS.register_module()
class BrainGuidanceLoss(nn.Module):
    """:func:`brain_guidance_loss` as a module.

    Args:
        temperature (float): τ. Defaults to 0.1 (on normalised features).
        normalize (bool): L2-normalise the features first. Defaults to True;
            ``normalize=False, temperature=1`` is the paper's equation on raw
            features.
        loss_weight (float): λ_bfg. Defaults to 0.5.
    """

    def __init__(self,
                 temperature: float = 0.1,
                 normalize: bool = True,
                 loss_weight: float = 0.5):
        super().__init__()
        self.temperature = temperature
        self.normalize = normalize
        self.loss_weight = loss_weight

    def forward(self, img_rois: torch.Tensor,
                brain_rois: torch.Tensor) -> torch.Tensor:
        if self.normalize:
            img_rois = F.normalize(img_rois, dim=-1)
            brain_rois = F.normalize(brain_rois, dim=-1)
        return self.loss_weight * brain_guidance_loss(img_rois, brain_rois,
                                                      self.temperature)
