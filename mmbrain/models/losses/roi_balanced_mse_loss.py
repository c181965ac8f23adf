from typing import Optional, Sequence

import torch
import torch.nn as nn

from mmbrain.registry import MODELS


def roi_balanced_mse(preds: Sequence[torch.Tensor],
                     targets: Sequence[torch.Tensor],
                     masks: Optional[Sequence[torch.Tensor]] = None
                     ) -> torch.Tensor:
    """The mean over ROI groups of each group's mean squared error.

    Each group's error is averaged over its own entries, so a group of
    many voxels weighs no more than a group of few:
    ``(1/R) sum_k sum_{n,v} m (y - t)^2 / sum_{n,v} m``.

    Args:
        preds (Sequence[Tensor]): Per group k, (N, V_k) predictions.
        targets (Sequence[Tensor]): Per group k, (N, V_k) targets.
        masks (Sequence[Tensor], optional): Per group k, (N, V_k) bool, the
            real entries (padding False). Defaults to all real.

    Returns:
        Tensor: the scalar loss.
    """
    if len(preds) != len(targets):
        raise ValueError(f'{len(preds)} predicted groups for '
                         f'{len(targets)} target groups')
    losses = []
    for k, (pred, target) in enumerate(zip(preds, targets)):
        if pred.shape != target.shape:
            raise ValueError(f'group {k}: predictions {tuple(pred.shape)} '
                             f'but targets {tuple(target.shape)}')
        error = (pred - target)**2
        if masks is None:
            losses.append(error.mean())
        else:
            mask = masks[k].to(error.dtype)
            losses.append((error * mask).sum() / mask.sum().clamp(min=1))
    return torch.stack(losses).mean()


@MODELS.register_module()
class RoiBalancedMSELoss(nn.Module):
    """:func:`roi_balanced_mse`, weighted by ``loss_weight``."""

    def __init__(self, loss_weight: float = 1.0):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, preds, targets, masks=None) -> torch.Tensor:
        return self.loss_weight * roi_balanced_mse(preds, targets, masks)
