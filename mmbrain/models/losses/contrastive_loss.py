import math

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.distributed.nn.functional import all_gather

from mmbrain.registry import MODELS


def gather_with_grad(x: torch.Tensor) -> torch.Tensor:
    """(n, ...) per rank -> (world * n, ...), rank-major; gradients flow back
    to every rank. Without a process group, ``x`` itself."""
    if not (dist.is_available() and dist.is_initialized()
            and dist.get_world_size() > 1):
        return x
    gathered = torch.cat(all_gather(x))
    if gathered.requires_grad:
        # all_gather's backward sums the ranks' gradients in place and gets
        # them wrong when they arrive non-contiguous (as an einsum's do)
        gathered.register_hook(lambda grad: grad.contiguous())
    return gathered


def gather_pair(img: torch.Tensor, brain: torch.Tensor):
    """Both modalities' (n, ...) features of this rank -> those of the
    global batch, (M, ...) each, and the index of this rank's first row in
    it (0 without a process group)."""
    all_img, all_brain = gather_with_grad(img), gather_with_grad(brain)
    rank = dist.get_rank() if len(all_img) > len(img) else 0
    return all_img, all_brain, rank * len(img)


def symmetric_contrastive_loss(img: torch.Tensor, brain: torch.Tensor,
                               all_img: torch.Tensor, all_brain: torch.Tensor,
                               offset: int,
                               logit_scale: torch.Tensor) -> torch.Tensor:
    """Symmetric InfoNCE with ``logit_scale = 1 / σ``.

    ``L = -1/n Σ_i log softmax_j(p_i·q_j/σ)[i] - 1/n Σ_i log softmax_j(q_i·p_j/σ)[i]``
    over the local rows i, with j over the global batch.

    Args:
        img (Tensor): (n, d) local image features p.
        brain (Tensor): (n, d) local brain features q.
        all_img (Tensor): (M, d) image features of the global batch.
        all_brain (Tensor): (M, d) brain features of the global batch.
        offset (int): Index of the first local row in the global batch.
        logit_scale (Tensor): Scalar 1 / σ.
    """
    labels = torch.arange(len(img), device=img.device) + offset
    img_to_brain = logit_scale * img @ all_brain.T  # (n, M)
    brain_to_img = logit_scale * brain @ all_img.T
    return (F.cross_entropy(img_to_brain, labels) +
            F.cross_entropy(brain_to_img, labels))


@MODELS.register_module()
class BrainContrastiveLoss(nn.Module):
    """Image-brain contrastive loss with a learnable temperature σ.

    Under DDP the negatives are the features of all ranks, gathered with
    their gradient. Features are L2-normalised first (``normalize``), so
    that σ alone sets the sharpness, as in CLIP.

    Args:
        temperature (float): Initial σ. Defaults to 0.07.
        learnable (bool): Learn σ (as log 1/σ, capped at 1/σ = 100).
            Defaults to True.
        normalize (bool): L2-normalise the features. Defaults to True.
        loss_weight (float): λ_con. Defaults to 0.5.
    """

    def __init__(self,
                 temperature: float = 0.07,
                 learnable: bool = True,
                 normalize: bool = True,
                 loss_weight: float = 0.5):
        super().__init__()
        self.log_scale = nn.Parameter(
            torch.tensor(math.log(1 / temperature)), requires_grad=learnable)
        self.normalize = normalize
        self.loss_weight = loss_weight

    @property
    def temperature(self) -> torch.Tensor:
        return 1 / self.log_scale.detach().clamp(max=math.log(100)).exp()

    def forward(self, img: torch.Tensor, brain: torch.Tensor) -> torch.Tensor:
        """(n, d) image and brain features of this rank -> weighted loss."""
        if self.normalize:
            img, brain = F.normalize(img, dim=-1), F.normalize(brain, dim=-1)
        all_img, all_brain, offset = gather_pair(img, brain)
        scale = self.log_scale.clamp(max=math.log(100)).exp()
        return self.loss_weight * symmetric_contrastive_loss(
            img, brain, all_img, all_brain, offset, scale)
