from typing import Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmbrain.registry import MODELS


def multilabel_bce(preds: Sequence[torch.Tensor],
                   targets: Sequence[torch.Tensor],
                   masks: Optional[Sequence[torch.Tensor]] = None
                   ) -> torch.Tensor:
    """The mean over groups of each group's mean binary cross-entropy of
    logits against 0/1 labels (one independent yes/no per category: a
    multi-label classification).

    Each group is averaged over its own entries, as in
    :func:`roi_balanced_mse`:
    ``(1/R) sum_k sum_{n,c} m BCE(x, t) / sum_{n,c} m``.

    Args:
        preds (Sequence[Tensor]): Per group k, (N, C_k) logits.
        targets (Sequence[Tensor]): Per group k, (N, C_k) labels in [0, 1].
        masks (Sequence[Tensor], optional): Per group k, (N, C_k) bool, the
            real entries. Defaults to all real.

    Returns:
        Tensor: the scalar loss.
    """
    if len(preds) != len(targets):
        raise ValueError(f'{len(preds)} predicted groups for '
                         f'{len(targets)} target groups')
    losses = []
    for k, (pred, target) in enumerate(zip(preds, targets)):
        if pred.shape != target.shape:
            raise ValueError(f'group {k}: logits {tuple(pred.shape)} but '
                             f'labels {tuple(target.shape)}')
        loss = F.binary_cross_entropy_with_logits(
            pred, target.to(pred.dtype), reduction='none')  # (N, C_k)
        if masks is None:
            losses.append(loss.mean())
        else:
            mask = masks[k].to(loss.dtype)
            losses.append((loss * mask).sum() / mask.sum().clamp(min=1))
    return torch.stack(losses).mean()


@MODELS.register_module()
class MultiLabelBCELoss(nn.Module):
    """:func:`multilabel_bce`, weighted by ``loss_weight``: the loss of a
    :class:`ResponseReadoutHead` whose outputs are one logit per category
    (``ResponseRegressionPretrainer(target='labels')``)."""

    def __init__(self, loss_weight: float = 1.0):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, preds, targets, masks=None) -> torch.Tensor:
        return self.loss_weight * multilabel_bce(preds, targets, masks)
