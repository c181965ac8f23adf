"""A linear probe of frozen features: standardised by the training
features, fitted by full-batch L-BFGS with an L2 penalty chosen on a
validation part of the training images, never on the test images."""
from typing import Callable, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class LinearProbe(nn.Module):
    """``linear((x - mean) / std)``: (N, F) features -> (N, C) logits.

    Args:
        mean (Tensor): (F, ) the training features' mean.
        std (Tensor): (F, ) their std (at least 1e-6).
        num_outputs (int): C.
    """

    def __init__(self, mean: torch.Tensor, std: torch.Tensor,
                 num_outputs: int):
        super().__init__()
        self.register_buffer('mean', mean)
        self.register_buffer('std', std)
        self.linear = nn.Linear(len(mean), num_outputs)
        nn.init.zeros_(self.linear.weight)
        nn.init.zeros_(self.linear.bias)

    @classmethod
    def for_features(cls, feats: torch.Tensor,
                     num_outputs: int) -> 'LinearProbe':
        """A zero probe standardising by ``feats``' (N, F) statistics."""
        return cls(feats.mean(0), feats.std(0).clamp_min(1e-6), num_outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear((x - self.mean) / self.std)


def fit_linear(feats: torch.Tensor,
               targets: torch.Tensor,
               num_outputs: int,
               weight_decay: float,
               loss: Callable = F.binary_cross_entropy_with_logits,
               max_iter: int = 100) -> LinearProbe:
    """A :class:`LinearProbe` with ``num_outputs`` outputs fitted to
    ``feats`` (N, F) and ``targets`` by full-batch L-BFGS on ``loss``
    (logits, targets) plus ``weight_decay`` x the squared norm of the
    weights: multi-hot (N, C) targets with the default binary
    cross-entropy, class indices (N, ) with ``F.cross_entropy``."""
    probe = LinearProbe.for_features(feats, num_outputs)
    x = (feats - probe.mean) / probe.std
    optimizer = torch.optim.LBFGS(probe.linear.parameters(),
                                  max_iter=max_iter,
                                  line_search_fn='strong_wolfe')

    def closure():
        optimizer.zero_grad()
        value = loss(probe.linear(x), targets)
        value = value + weight_decay * probe.linear.weight.square().sum()
        value.backward()
        return value

    optimizer.step(closure)
    return probe.requires_grad_(False)


def validation_split(groups: np.ndarray, fraction: float,
                     seed: int) -> Tuple[np.ndarray, np.ndarray]:
    """Boolean (N, ) masks (fit, validation) of rows whose ``groups``
    (an image index per row) fall in a seeded ``fraction`` of the
    groups."""
    names = np.unique(groups)
    order = np.random.default_rng(seed).permutation(len(names))
    num_val = max(1, int(round(fraction * len(names))))
    val = np.isin(groups, names[order[:num_val]])
    return ~val, val


def fit_on_validation(feats: torch.Tensor,
                      targets: torch.Tensor,
                      num_outputs: int,
                      weight_decays: Sequence[float],
                      score: Callable[[torch.Tensor, torch.Tensor], float],
                      loss: Callable = F.binary_cross_entropy_with_logits,
                      groups: np.ndarray = None,
                      val_fraction: float = 0.2,
                      seed: int = 0) -> Tuple[LinearProbe, float]:
    """:func:`fit_linear` with the weight decay of ``weight_decays`` whose
    probe, fitted on the other rows, has the best ``score`` (logits,
    targets) on a seeded ``val_fraction`` of the ``groups`` (default: each
    row its own), refitted on all rows; returns it and the weight decay."""
    groups = np.arange(len(feats)) if groups is None else groups
    fit, val = (torch.from_numpy(m)
                for m in validation_split(groups, val_fraction, seed))
    scores = []
    for weight_decay in weight_decays:
        probe = fit_linear(feats[fit], targets[fit], num_outputs,
                           weight_decay, loss)
        with torch.no_grad():
            scores.append(score(probe(feats[val]), targets[val]))
    chosen = weight_decays[int(np.argmax(scores))]
    return fit_linear(feats, targets, num_outputs, chosen, loss), chosen
