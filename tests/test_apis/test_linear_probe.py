"""mmbrain.apis.linear_probe: the fit, the image-wise validation split and
the weight decay chosen on it."""
import numpy as np
import torch
import torch.nn.functional as F

from mmbrain.apis.linear_probe import (fit_linear, fit_on_validation,
                                       validation_split)


def test_a_softmax_probe_separates_classes():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(300, 4, generator=g) * 5 + 3  # standardised inside
    y = (x[:, 0] > 1).long() + (x[:, 0] > 5).long()  # three bands
    probe = fit_linear(x, y, 3, 1e-4, F.cross_entropy)
    assert (probe(x).argmax(1) == y).float().mean() > 0.95
    assert torch.allclose(probe.mean, x.mean(0))


def test_the_validation_split_keeps_images_whole():
    groups = np.repeat(np.arange(10), 3)
    fit, val = validation_split(groups, 0.2, seed=0)
    assert val.sum() == 6 and not (fit & val).any()
    assert set(groups[val]).isdisjoint(groups[fit])


def test_the_weight_decay_is_chosen_by_the_validation_score():
    x = torch.randn(100, 3)
    y = (x[:, :1] > 0).float()
    seen = []

    def score(logits, targets):  # prefers the strongest decay
        seen.append(len(targets))
        return -logits.abs().mean().item()

    _, chosen = fit_on_validation(x, y, 1, [1e-4, 1.], score,
                                  val_fraction=0.2)
    assert chosen == 1. and seen == [20, 20]
