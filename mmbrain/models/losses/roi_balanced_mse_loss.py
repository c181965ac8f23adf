from typing import Callable, Optional, Sequence

import torch
import torch.nn as nn

from mmbrain.registry import MODELS


def group_balanced(elementwise: Callable, preds: Sequence[torch.Tensor],
                   targets: Sequence[torch.Tensor],
                   masks: Optional[Sequence[torch.Tensor]] = None,
                   names: str = 'predictions') -> torch.Tensor:
    """The mean over groups of each group's mean ``elementwise(pred,
    target)`` over its own real entries:
    ``(1/R) sum_k sum_{n,v} m l(y, t) / sum_{n,v} m``.

    Args:
        elementwise (callable): (N, V_k) predictions and targets -> (N, V_k)
            losses.
        preds (Sequence[Tensor]): Per group k, (N, V_k) predictions.
        targets (Sequence[Tensor]): Per group k, (N, V_k) targets.
        masks (Sequence[Tensor], optional): Per group k, (N, V_k) bool, the
            real entries (padding False). Defaults to all real.
        names (str): What the predictions are, for the errors.

    Returns:
        Tensor: the scalar loss.
    """
    if len(preds) != len(targets):
        raise ValueError(f'{len(preds)} predicted groups for '
                         f'{len(targets)} target groups')
    losses = []
    for k, (pred, target) in enumerate(zip(preds, targets)):
        if pred.shape != target.shape:
            raise ValueError(f'group {k}: {names} {tuple(pred.shape)} '
                             f'but targets {tuple(target.shape)}')
        loss = elementwise(pred, target)
        if masks is None:
            losses.append(loss.mean())
        else:
            mask = masks[k].to(loss.dtype)
            losses.append((loss * mask).sum() / mask.sum().clamp(min=1))
    return torch.stack(losses).mean()


def roi_balanced_mse(preds: Sequence[torch.Tensor],
                     targets: Sequence[torch.Tensor],
                     masks: Optional[Sequence[torch.Tensor]] = None
                     ) -> torch.Tensor:
    """The mean over ROI groups of each group's mean squared error
    (:func:`group_balanced`): a group of many voxels weighs no more than a
    group of few. Shapes as there."""
    return group_balanced(lambda y, t: (y - t)**2, preds, targets, masks)


@MODELS.register_module()
class RoiBalancedMSELoss(nn.Module):
    """:func:`roi_balanced_mse`, weighted by ``loss_weight``."""

    def __init__(self, loss_weight: float = 1.0):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, preds, targets, masks=None) -> torch.Tensor:
        return self.loss_weight * roi_balanced_mse(preds, targets, masks)
