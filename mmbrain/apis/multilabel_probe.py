"""Multi-label probes of a frozen backbone on COCO-format data: a linear
classifier and a kNN vote over its pooled features, scored as mAP over
the categories on the test images.

The linear probe's weight decay is chosen on a validation part of the
training images, never on the test images; the kNN's k and temperature are
fixed in the config.
"""
import sys
import time
from dataclasses import dataclass
from typing import Dict, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.runner import Runner, set_random_seed
from mmengine.utils import ProgressBar
from mmpretrain.evaluation import AveragePrecision

from mmbrain.registry import MODELS
from mmbrain.utils import register_all_modules


def extract_labelled(model, preprocessor, dataloader_cfg,
                     device) -> Tuple[torch.Tensor, torch.Tensor, tuple]:
    """Features (N, F), multi-hot targets (N, C) and the classes of a
    dataloader of labelled images (``CocoMultiLabelDataset``)."""
    loader = Runner.build_dataloader(dataloader_cfg)
    classes = loader.dataset.metainfo['classes']
    feats, targets = [], []
    bar = ProgressBar(len(loader.dataset), file=sys.stdout)
    for batch in loader:
        data = preprocessor(batch)
        feats.append(model(data['inputs'].to(device)).float().cpu())
        for sample in data['data_samples']:
            target = torch.zeros(len(classes))
            target[sample.gt_label] = 1
            targets.append(target)
        bar.update(len(data['data_samples']))
    print(flush=True)
    return torch.cat(feats), torch.stack(targets), classes


def mean_average_precision(scores: torch.Tensor,
                           targets: torch.Tensor) -> Tuple[float, int]:
    """mAP in percent over the classes that have a positive in
    ``targets`` (N, C), mmpretrain's average precision per class; returns
    it and how many classes it averages."""
    present = targets.sum(0) > 0
    if not present.any():
        raise ValueError('no class has a positive image: no mAP')
    ap = AveragePrecision.calculate(scores[:, present], targets[:, present],
                                    average=None)
    return float(ap.mean()), int(present.sum())


def knn_scores(train_feats: torch.Tensor,
               train_targets: torch.Tensor,
               test_feats: torch.Tensor,
               k: int = 20,
               temperature: float = 0.07) -> torch.Tensor:
    """(N_test, C) class scores: each test image's ``k`` nearest training
    images by cosine similarity s vote their multi-hot labels, weighted by
    exp(s / temperature) and normalised (DINO's weighted kNN, per class)."""
    sims = F.normalize(test_feats, dim=1) @ F.normalize(train_feats, dim=1).T
    top, index = sims.topk(min(k, len(train_feats)), dim=1)
    weights = (top / temperature).softmax(dim=1)  # (N_test, k)
    return torch.einsum('nk,nkc->nc', weights, train_targets[index])


def fit_logistic(feats: torch.Tensor, targets: torch.Tensor,
                 weight_decay: float, max_iter: int = 100) -> torch.nn.Linear:
    """A linear multi-label classifier (C, F) fitted to standardised
    ``feats`` (N, F) and ``targets`` (N, C) by full-batch L-BFGS on the
    mean binary cross-entropy plus ``weight_decay`` x the squared norm of
    the weights."""
    linear = torch.nn.Linear(feats.shape[1], targets.shape[1])
    torch.nn.init.zeros_(linear.weight)
    torch.nn.init.zeros_(linear.bias)
    optimizer = torch.optim.LBFGS(linear.parameters(), max_iter=max_iter,
                                  line_search_fn='strong_wolfe')

    def closure():
        optimizer.zero_grad()
        loss = F.binary_cross_entropy_with_logits(linear(feats), targets)
        loss = loss + weight_decay * linear.weight.square().sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    return linear


def standardise(train: torch.Tensor,
                *others: torch.Tensor) -> Tuple[torch.Tensor, ...]:
    """Every array standardised by ``train``'s per-feature mean and std."""
    mean, std = train.mean(0), train.std(0).clamp_min(1e-6)
    return tuple((x - mean) / std for x in (train, ) + others)


def linear_probe_scores(train_feats: torch.Tensor,
                        train_targets: torch.Tensor,
                        test_feats: torch.Tensor,
                        weight_decays: Sequence[float],
                        val_fraction: float = 0.2,
                        seed: int = 0) -> Tuple[torch.Tensor, float]:
    """(N_test, C) logits of :func:`fit_logistic`, its weight decay the one
    of ``weight_decays`` with the best mAP on a seeded ``val_fraction`` of
    the training images (fitted on the rest), refitted on them all; returns
    the logits and the chosen weight decay."""
    order = torch.randperm(len(train_feats),
                           generator=torch.Generator().manual_seed(seed))
    num_val = max(1, int(round(val_fraction * len(order))))
    val, fit = order[:num_val], order[num_val:]
    fit_x, val_x = standardise(train_feats[fit], train_feats[val])
    val_maps = []
    for weight_decay in weight_decays:
        linear = fit_logistic(fit_x, train_targets[fit], weight_decay)
        with torch.no_grad():
            val_maps.append(mean_average_precision(
                linear(val_x), train_targets[val])[0])
    chosen = weight_decays[int(np.argmax(val_maps))]
    train_x, test_x = standardise(train_feats, test_feats)
    linear = fit_logistic(train_x, train_targets, chosen)
    with torch.no_grad():
        return linear(test_x), chosen


@dataclass
class MultiLabelProbe:
    """What :func:`probe_multilabel` gives.

    Attributes:
        metrics (dict): ``multilabel/linear_mAP``, ``multilabel/knn_mAP``
            (percent, over the test images' present classes) and
            ``multilabel/weight_decay`` (the linear probe's, chosen on
            validation).
        shapes (dict): train / test images, features, classes scored.
        seconds (dict): ``features`` and ``fit``.
    """
    metrics: Dict[str, float]
    shapes: Dict[str, int]
    seconds: Dict[str, float]


def probe_multilabel(cfg: Config, device: str = 'cpu') -> MultiLabelProbe:
    """Extract the frozen ``cfg.model``'s features of ``cfg``'s train and
    test images and score both probes (``cfg.probe``: ``weight_decays``,
    ``val_fraction``, ``knn=dict(k, temperature)``)."""
    register_all_modules()
    if cfg.get('randomness'):  # a random-init backbone's weights
        set_random_seed(**cfg.randomness)
    seed = cfg.get('randomness', {}).get('seed', 0)
    model = MODELS.build(cfg.model)
    model.init_weights()  # loads the backbone's init_cfg checkpoint
    model.eval().to(device)
    preprocessor = MODELS.build(cfg.data_preprocessor).to(device)
    start = time.perf_counter()
    train_x, train_y, classes = extract_labelled(
        model, preprocessor, cfg.train_dataloader, device)
    test_x, test_y, test_classes = extract_labelled(
        model, preprocessor, cfg.test_dataloader, device)
    if tuple(test_classes) != tuple(classes):
        raise ValueError(f'the train images have the classes {classes}, '
                         f'the test images {test_classes}')
    features_s = time.perf_counter() - start
    start = time.perf_counter()
    logits, weight_decay = linear_probe_scores(
        train_x, train_y, test_x, cfg.probe.weight_decays,
        cfg.probe.val_fraction, seed)
    linear_map, scored = mean_average_precision(logits, test_y)
    knn_map, _ = mean_average_precision(
        knn_scores(train_x, train_y, test_x, **cfg.probe.knn), test_y)
    return MultiLabelProbe(
        metrics={
            'multilabel/linear_mAP': linear_map,
            'multilabel/knn_mAP': knn_map,
            'multilabel/weight_decay': weight_decay
        },
        shapes=dict(train=len(train_x), test=len(test_x),
                    features=train_x.shape[1], classes=scored),
        seconds=dict(features=features_s, fit=time.perf_counter() - start))
