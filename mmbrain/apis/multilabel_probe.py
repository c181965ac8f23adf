"""Multi-label probes of a frozen backbone on COCO-format data: a linear
classifier and a kNN vote over its pooled features, scored as mAP over
the categories on the test images, clean, corrupted and attacked.

The linear probe's weight decay is chosen on a validation part of the
training images, never on the test images; the kNN's k and temperature are
fixed in the config.
"""
import copy
import sys
import time
from dataclasses import dataclass
from typing import Dict, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.runner import Runner
from mmengine.utils import ProgressBar
from mmpretrain.evaluation import AveragePrecision

from .linear_probe import LinearProbe, fit_on_validation
from .readout_fit import frozen_extractor
from .robustness import (corrupted_loader, corruption_conditions,
                         corruption_summary, pgd_images)


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
        targets.append(multi_hot(data['data_samples'], len(classes)))
        bar.update(len(data['data_samples']))
    print(flush=True)
    return torch.cat(feats), torch.cat(targets), classes


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


def linear_probe(train_feats: torch.Tensor, train_targets: torch.Tensor,
                 weight_decays: Sequence[float], val_fraction: float = 0.2,
                 seed: int = 0) -> Tuple[LinearProbe, float]:
    """The multi-label :class:`LinearProbe` (binary cross-entropy) whose
    weight decay, of ``weight_decays``, has the best mAP on a seeded
    ``val_fraction`` of the training images; returns it and the weight
    decay."""
    return fit_on_validation(
        train_feats, train_targets, train_targets.shape[1], weight_decays,
        lambda logits, targets: mean_average_precision(logits, targets)[0],
        val_fraction=val_fraction, seed=seed)


def multi_hot(data_samples, num_classes: int) -> torch.Tensor:
    """(N, C) targets of packed samples' ``gt_label`` indices."""
    targets = torch.zeros(len(data_samples), num_classes)
    for row, sample in zip(targets, data_samples):
        row[sample.gt_label] = 1
    return targets


def attacked_features(model, preprocessor, dataloader_cfg, probe, eps,
                      steps, seed, device) -> torch.Tensor:
    """(N, F) features of the test images after :func:`pgd_images` against
    ``model``'s pooled features and the linear ``probe``."""
    loader = Runner.build_dataloader(dataloader_cfg)
    classes = len(loader.dataset.metainfo['classes'])
    attacked = torch.nn.Sequential(
        _Features(model), copy.deepcopy(probe).to(device)).eval()
    feats = []
    for index, batch in enumerate(loader):
        data = preprocessor(batch)
        images = pgd_images(
            attacked, data['inputs'].to(device),
            multi_hot(data['data_samples'], classes).to(device), eps, steps,
            preprocessor.mean.flatten().tolist(),
            preprocessor.std.flatten().tolist(), seed + index)
        feats.append(model(images).float().cpu())
    return torch.cat(feats)


class _Features(torch.nn.Module):
    """``PooledFeatures.features``: with gradients to the images."""

    def __init__(self, pooled):
        super().__init__()
        self.pooled = pooled

    def forward(self, img):
        return self.pooled.features(img)


@dataclass
class MultiLabelProbe:
    """What :func:`probe_multilabel` gives.

    Attributes:
        metrics (dict): percent, over the test images' present classes:
            ``multilabel/linear_mAP``, ``multilabel/knn_mAP``; with a
            ``corruption`` section ``multilabel/{linear,knn}_mPC`` and
            ``_rPC``; with an ``attack`` section
            ``multilabel/linear_mAP_pgd<eps x 255>`` and its ``_drop`` from
            clean; and ``multilabel/weight_decay`` (the linear probe's,
            chosen on validation).
        conditions (dict): ``'<corruption>/<severity>'`` -> {linear, knn}
            mAP.
        shapes (dict): train / test images, features, classes scored.
        seconds (dict): ``features``, ``fit``, ``corruptions``, ``attack``.
    """
    metrics: Dict[str, float]
    conditions: Dict[str, Dict[str, float]]
    shapes: Dict[str, int]
    seconds: Dict[str, float]


def probe_multilabel(cfg: Config, device: str = 'cpu') -> MultiLabelProbe:
    """Extract the frozen ``cfg.model``'s features of ``cfg``'s train and
    test images and score both probes (``cfg.probe``: ``weight_decays``,
    ``val_fraction``, ``knn=dict(k, temperature)``), on the clean test
    images, on their corruptions (``cfg.corruption``: ``corruptions``,
    ``severities``) and under PGD (``cfg.attack``: ``eps`` on the 0-1
    scale, ``steps``); both sections are optional."""
    seed = cfg.get('randomness', {}).get('seed', 0)
    model, preprocessor = frozen_extractor(cfg, device)
    seconds, start = {}, time.perf_counter()
    train_x, train_y, classes = extract_labelled(
        model, preprocessor, cfg.train_dataloader, device)
    test_x, test_y, test_classes = extract_labelled(
        model, preprocessor, cfg.test_dataloader, device)
    if tuple(test_classes) != tuple(classes):
        raise ValueError(f'the train images have the classes {classes}, '
                         f'the test images {test_classes}')
    seconds['features'] = time.perf_counter() - start
    start = time.perf_counter()
    probe, weight_decay = linear_probe(train_x, train_y,
                                       cfg.probe.weight_decays,
                                       cfg.probe.val_fraction, seed)

    def scores(feats: torch.Tensor) -> Dict[str, float]:
        with torch.no_grad():
            linear = mean_average_precision(probe(feats), test_y)[0]
        knn = mean_average_precision(
            knn_scores(train_x, train_y, feats, **cfg.probe.knn), test_y)[0]
        return dict(linear=linear, knn=knn)

    clean = scores(test_x)
    metrics = {f'multilabel/{k}_mAP': v for k, v in clean.items()}
    seconds['fit'] = time.perf_counter() - start
    conditions = {}
    if cfg.get('corruption'):
        start = time.perf_counter()
        for name, severity in corruption_conditions(cfg.corruption):
            feats, _, _ = extract_labelled(
                model, preprocessor,
                corrupted_loader(cfg.test_dataloader, name, severity, seed),
                device)
            conditions[f'{name}/{severity}'] = scores(feats)
        for kind in clean:
            summary = corruption_summary(
                clean[kind], {c: v[kind] for c, v in conditions.items()})
            metrics.update({f'multilabel/{kind}_{k}': v
                            for k, v in summary.items()})
        seconds['corruptions'] = time.perf_counter() - start
    if cfg.get('attack'):
        start = time.perf_counter()
        for eps in cfg.attack.eps:
            feats = attacked_features(model, preprocessor,
                                      cfg.test_dataloader, probe, eps,
                                      cfg.attack.steps, seed, device)
            name = f'multilabel/linear_mAP_pgd{eps * 255:.3g}'
            metrics[name] = scores(feats)['linear']
            metrics[f'{name}_drop'] = clean['linear'] - metrics[name]
        seconds['attack'] = time.perf_counter() - start
    metrics['multilabel/weight_decay'] = weight_decay
    return MultiLabelProbe(
        metrics=metrics,
        conditions=conditions,
        shapes=dict(train=len(train_x), test=len(test_x),
                    features=train_x.shape[1], classes=len(
                        [c for c in test_y.sum(0) if c > 0])),
        seconds=seconds)
