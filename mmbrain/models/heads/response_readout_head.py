import math
from typing import List, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmbrain.registry import MODELS
from .base import BaseReadoutHead


@MODELS.register_module()
class ResponseReadoutHead(BaseReadoutHead):
    """Linear readouts from backbone features to per-group responses.

    The last feature map is average-pooled to a ``pool_size`` grid (so the
    readout still knows where things are), flattened and projected to
    ``embed_dims`` by one map shared by every subject; per subject and group
    k a linear map then gives the group's V_k values. The whole readout is
    linear in the pooled features (of rank at most ``embed_dims``), as an
    encoding model is.

    Args:
        in_channels (int): Channels C of the backbone's last output.
        num_outputs (Sequence[int]): Per group k, the largest V_k over the
            subjects (a subject's responses fill the first V_k outputs).
        subjects (Sequence[int], optional): One readout per subject (each
            brain differs); None: one readout for every sample (targets that
            every subject shares, such as the images' own features).
        pool_size (int): The pooled grid's side. Defaults to 2.
        embed_dims (int): The shared projection's width. Defaults to 256.
        loss (dict): Config of the loss on (predictions, targets, masks).
            Defaults to ``RoiBalancedMSELoss``.
    """

    def __init__(self,
                 in_channels: int,
                 num_outputs: Sequence[int],
                 subjects: Optional[Sequence[int]] = None,
                 pool_size: int = 2,
                 embed_dims: int = 256,
                 loss: dict = dict(type='RoiBalancedMSELoss'),
                 init_cfg=None):
        num_outputs = list(num_outputs)
        super().__init__(len(num_outputs), init_cfg)
        self.num_outputs = num_outputs
        self.subjects = None if subjects is None else list(subjects)
        self.pool_size = pool_size
        self.proj = nn.Linear(in_channels * pool_size**2, embed_dims)
        num_maps = 1 if subjects is None else len(self.subjects)
        bound = 1 / math.sqrt(embed_dims)  # nn.Linear's initial range
        self.weights = nn.ParameterList(
            nn.Parameter(torch.empty(num_maps, embed_dims, v).uniform_(
                -bound, bound)) for v in self.num_outputs)
        self.biases = nn.ParameterList(
            nn.Parameter(torch.zeros(num_maps, v)) for v in self.num_outputs)
        # subject number -> its readout (-1: none)
        lookup = torch.full((max(self.subjects or [0]) + 1, ), -1)
        if self.subjects is not None:
            lookup[self.subjects] = torch.arange(len(self.subjects))
        self.register_buffer('readout_of', lookup, persistent=False)
        self.loss_module = MODELS.build(loss)

    def readout_index(self, subject: Optional[torch.Tensor],
                      num: int) -> torch.Tensor:
        """(N,) index of each sample's readout; an error names a subject
        that has none."""
        if self.subjects is None:
            return torch.zeros(num, dtype=torch.long,
                               device=self.readout_of.device)
        if subject is None:
            raise ValueError('per-subject readouts need the samples\' '
                             'subject (inputs["subject"])')
        known = subject < len(self.readout_of)
        index = self.readout_of[subject.clamp(max=len(self.readout_of) - 1)]
        if not bool((known & (index >= 0)).all()):
            raise ValueError(
                f'subjects {sorted(set(subject.tolist()))} in the batch but '
                f'readouts only for {self.subjects} (model.head.subjects)')
        return index

    def forward(self, feats: torch.Tensor,
                subject: Optional[torch.Tensor] = None) -> List[torch.Tensor]:
        """(N, C, H, W) features (and the (N,) subjects) -> per group k
        (N, num_outputs[k]) predictions."""
        pooled = F.adaptive_avg_pool2d(feats, self.pool_size).flatten(1)
        x = self.proj(pooled)  # (N, D)
        rows = torch.arange(len(x), device=x.device)
        index = self.readout_index(subject, len(x))
        # every map on every sample, then each sample's own
        return [
            torch.einsum('nd,sdv->nsv', x, w)[rows, index] + b[index]
            for w, b in zip(self.weights, self.biases)
        ]

    def loss(self, feats: torch.Tensor, targets: Sequence[torch.Tensor],
             masks: Optional[Sequence[torch.Tensor]] = None,
             subject: Optional[torch.Tensor] = None) -> torch.Tensor:
        """The loss of the predictions against per group k (N, V_k)
        ``targets`` (``masks``: their real entries), V_k <= num_outputs[k].
        """
        if len(targets) != self.num_rois:
            raise ValueError(f'{len(targets)} target groups for the head\'s '
                             f'{self.num_rois} (model.head.num_outputs)')
        preds = self(feats, subject)
        for k, (pred, target) in enumerate(zip(preds, targets)):
            if target.shape[1] > pred.shape[1]:
                raise ValueError(
                    f'group {k} has {target.shape[1]} targets, more than '
                    f'num_outputs[{k}] = {pred.shape[1]}; raise '
                    'model.head.num_outputs (prepare_nsd.py prints each '
                    "subject's voxel counts)")
        preds = [p[:, :t.shape[1]] for p, t in zip(preds, targets)]
        return self.loss_module(preds, targets, masks)
