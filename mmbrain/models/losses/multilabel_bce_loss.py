from typing import Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmbrain.registry import MODELS
from .roi_balanced_mse_loss import group_balanced


def multilabel_bce(preds: Sequence[torch.Tensor],
                   targets: Sequence[torch.Tensor],
                   masks: Optional[Sequence[torch.Tensor]] = None
                   ) -> torch.Tensor:
    """The mean over groups of each group's mean binary cross-entropy of
    (N, C_k) logits against (N, C_k) labels in [0, 1] (one independent
    yes/no per category: a multi-label classification), each group
    averaged over its own entries (:func:`group_balanced`)."""
    return group_balanced(
        lambda x, t: F.binary_cross_entropy_with_logits(
            x, t.to(x.dtype), reduction='none'), preds, targets, masks,
        names='logits')


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
