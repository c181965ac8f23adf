"""MindEye's contrastive losses with soft targets, as NEURONS uses them:
BiMixCo (mixed brain inputs, targets that follow the mix) and SoftCLIP
(targets from the image-image similarities)."""
import math
from typing import Optional

import torch
import torch.nn.functional as F

from mmbrain.registry import MODELS
from .contrastive_loss import (BrainContrastiveLoss, gather_pair,
                               gather_with_grad)


def mixco(x: torch.Tensor, alpha: float = 0.15, prob: float = 0.5) -> tuple:
    """Mix each selected sample with another one of the batch.

    ``x̃_i = β_i x_i + (1 - β_i) x_π(i)`` with β_i ~ Beta(α, α) for a random
    ``prob`` share of the samples, β_i = 1 for the others.

    Args:
        x (Tensor): (n, ...) inputs (e.g. a shared brain latent).
        alpha (float): Beta(α, α) parameter. Defaults to 0.15 (MindEye).
        prob (float): Share of samples mixed. Defaults to 0.5.

    π, β and the selection come from torch's global generator.

    Returns:
        tuple: (n, ...) mixed x̃, (n,) permutation π and (n,) float β.
    """
    n = len(x)
    perm = torch.randperm(n).to(x.device)
    # sampled on the host (validate_args reads its checks back: a sync)
    beta = torch.distributions.Beta(
        alpha, alpha, validate_args=False).sample((n, ))
    keep = torch.rand(n) >= prob
    beta = torch.where(keep, torch.ones_like(beta), beta).to(x)
    shape = (n, ) + (1, ) * (x.dim() - 1)
    mixed = beta.view(shape) * x + (1 - beta.view(shape)) * x[perm]
    return mixed, perm, beta


def soft_cross_entropy(logits: torch.Tensor,
                       targets: torch.Tensor) -> torch.Tensor:
    """``-1/n Σ_i Σ_j t_ij log softmax_j(logits_i)`` of (n, M) inputs."""
    return -(targets * logits.log_softmax(-1)).sum(-1).mean()


def soft_clip_loss(img: torch.Tensor, brain: torch.Tensor,
                   all_img: torch.Tensor, all_brain: torch.Tensor,
                   logit_scale: torch.Tensor) -> torch.Tensor:
    """SoftCLIP of the local (n, d) rows against the global (M, d) batch:
    targets ``softmax_j(p_i·p_j / σ)`` without gradient, the two directions
    averaged (see :class:`SoftCLIPLoss`)."""
    targets = (logit_scale * img @ all_img.T).detach().softmax(-1)
    return (soft_cross_entropy(logit_scale * brain @ all_img.T, targets) +
            soft_cross_entropy(logit_scale * img @ all_brain.T, targets)) / 2


@MODELS.register_module()
class BiMixCoLoss(BrainContrastiveLoss):
    """Bidirectional MixCo (MindEye): the brain features come from mixed
    inputs (:func:`mixco`), and the targets follow the mix.

    With ``T_ij = β_i [j = i] + (1 - β_i) [j = π(i)]`` over the global batch
    and ``s_ij = q̃_i·p_j / σ``:
    ``L = ½ (-1/n Σ_i Σ_j T_ij log softmax_j s_ij
    - 1/n Σ_j Σ_i T_ij log softmax_i s_ij)``, the first over the local
    brain rows, the second over the local image rows. Without a mix it is
    :class:`BrainContrastiveLoss` halved, or with ``unmixed_targets=
    'softclip'`` :class:`SoftCLIPLoss`: MindEye's schedule, BiMixCo while
    the inputs are mixed and SoftCLIP after (:class:`MixCoScheduleHook`),
    with one temperature throughout.

    Args:
        unmixed_targets (str): ``'identity'`` or ``'softclip'``, the
            targets of a batch without a mix. Defaults to ``'identity'``.
        **kwargs: As :class:`BrainContrastiveLoss`.
    """

    def __init__(self, unmixed_targets: str = 'identity', **kwargs):
        super().__init__(**kwargs)
        if unmixed_targets not in ('identity', 'softclip'):
            raise ValueError("unmixed_targets must be 'identity' or "
                             f"'softclip', got {unmixed_targets!r}")
        self.unmixed_targets = unmixed_targets

    def forward(self,
                img: torch.Tensor,
                brain: torch.Tensor,
                perm: Optional[torch.Tensor] = None,
                beta: Optional[torch.Tensor] = None) -> torch.Tensor:
        """
        Args:
            img (Tensor): (n, d) image features p of this rank.
            brain (Tensor): (n, d) brain features q̃ of the mixed inputs.
            perm (Tensor, optional): (n,) local partner π(i) of each row.
            beta (Tensor, optional): (n,) weight β_i of the row's own input.
        """
        if self.normalize:
            img, brain = F.normalize(img, dim=-1), F.normalize(brain, dim=-1)
        all_img, all_brain, offset = gather_pair(img, brain)
        n, total = len(img), len(all_img)
        scale = self.log_scale.clamp(max=math.log(100)).exp()
        if perm is None and self.unmixed_targets == 'softclip':
            return self.loss_weight * soft_clip_loss(img, brain, all_img,
                                                     all_brain, scale)
        if perm is None:
            perm, beta = torch.arange(n, device=img.device), img.new_ones(n)
        # (M,) global partner and weight of every brain row
        all_perm = gather_with_grad(perm + offset)
        all_beta = gather_with_grad(beta)
        targets = img.new_zeros(total, total)
        everyone = torch.arange(total, device=img.device)
        targets[everyone, everyone] += all_beta
        targets[everyone, all_perm] += 1 - all_beta
        local = slice(offset, offset + n)
        brain_to_img = scale * brain @ all_img.T  # (n, M)
        img_to_brain = scale * img @ all_brain.T
        loss = (soft_cross_entropy(brain_to_img, targets[local]) +
                soft_cross_entropy(img_to_brain, targets[:, local].T)) / 2
        return self.loss_weight * loss


@MODELS.register_module()
class SoftCLIPLoss(BrainContrastiveLoss):
    """SoftCLIP (MindEye): contrastive targets from the image-image
    similarities instead of the identity.

    ``T_ij = softmax_j(p_i·p_j / σ)`` (no gradient) and
    ``L = ½ (-1/n Σ_i Σ_j T_ij log softmax_j(q_i·p_j / σ)
    - 1/n Σ_i Σ_j T_ij log softmax_j(p_i·q_j / σ))``, i over the local rows,
    j over the global batch. Arguments as :class:`BrainContrastiveLoss`.
    """

    def forward(self, img: torch.Tensor, brain: torch.Tensor) -> torch.Tensor:
        """(n, d) image and brain features of this rank -> weighted loss."""
        if self.normalize:
            img, brain = F.normalize(img, dim=-1), F.normalize(brain, dim=-1)
        all_img, all_brain, _ = gather_pair(img, brain)
        scale = self.log_scale.clamp(max=math.log(100)).exp()
        return self.loss_weight * soft_clip_loss(img, brain, all_img,
                                                 all_brain, scale)
