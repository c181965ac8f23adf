"""Robustness of a frozen backbone and its probe: common corruptions of the
test images (``imagecorruptions`` through :class:`SeededCorrupt`, scored as
COCO-C's mPC and rPC) and L-infinity PGD (``torchattacks``)."""
import copy
import os.path as osp
from typing import Dict, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn as nn

from mmbrain.utils import ConfigError

# the 15 corruptions of ImageNet-C / COCO-C, at severities 1-5: the
# benchmark (``corruptions='benchmark'``)
BENCHMARK_SEVERITIES = (1, 2, 3, 4, 5)


def corruption_names(corruptions: Union[str, Sequence[str]]) -> List[str]:
    """``'benchmark'``: the 15 corruptions of ImageNet-C (``imagecorruptions``'
    ``'common'`` set); else the names given, each checked."""
    from imagecorruptions import get_corruption_names
    known = get_corruption_names('all')
    if corruptions == 'benchmark':
        return list(get_corruption_names('common'))
    unknown = [c for c in corruptions if c not in known]
    if unknown:
        raise ConfigError(f'unknown corruptions {unknown}; imagecorruptions '
                          f'has {known}')
    return list(corruptions)


def corruption_conditions(cfg: dict) -> Iterator[Tuple[str, int]]:
    """Each (corruption, severity) of a ``corruption`` config section:
    ``corruptions`` (names or ``'benchmark'``) and ``severities``
    (default: 1-5)."""
    for name in corruption_names(cfg['corruptions']):
        for severity in cfg.get('severities', BENCHMARK_SEVERITIES):
            if severity not in BENCHMARK_SEVERITIES:
                raise ConfigError(f'severity {severity}: expected 1-5')
            yield name, int(severity)


def corrupted_loader(dataloader_cfg: dict, corruption: str, severity: int,
                     seed: int = 0) -> dict:
    """A copy of ``dataloader_cfg`` whose pipeline corrupts each image
    (:class:`SeededCorrupt`) right after ``LoadImageFromFile``."""
    cfg = copy.deepcopy(dataloader_cfg)
    pipeline = cfg['dataset']['pipeline']
    loads = [i for i, t in enumerate(pipeline)
             if t['type'].split('.')[-1] == 'LoadImageFromFile']
    if not loads:
        raise ConfigError('the test pipeline has no LoadImageFromFile to '
                          'corrupt the images after')
    pipeline.insert(loads[0] + 1, dict(
        type='mmbrain.SeededCorrupt', corruption=corruption,
        severity=severity, seed=seed))
    return cfg


def corruption_summary(clean: float,
                       scores: Dict[str, float]) -> Dict[str, float]:
    """COCO-C's summary (Michaelis et al. 2019) of ``scores``
    (``'<corruption>/<severity>'`` -> the metric): mPC, the mean over
    corruptions of the mean over severities, and rPC = mPC / ``clean``
    (in percent)."""
    by_corruption: Dict[str, list] = {}
    for key, value in scores.items():
        by_corruption.setdefault(key.rsplit('/', 1)[0], []).append(value)
    mpc = float(np.mean([np.mean(v) for v in by_corruption.values()]))
    return dict(mPC=mpc, rPC=100. * mpc / clean if clean else float('nan'))


class TwoWayLogits(nn.Module):
    """(N, C) multi-label logits z as (N, 2, C) logits [0, z]: the mean
    softmax cross-entropy of these over the two ways, with the multi-hot
    targets as class indices, is the mean binary cross-entropy of z, so a
    single-label attack (``torchattacks``) maximises the multi-label
    probe's own loss."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logits = self.model(x)
        return torch.stack([torch.zeros_like(logits), logits], dim=1)


def pgd_images(model: nn.Module, inputs: torch.Tensor,
               targets: torch.Tensor, eps: float, steps: int,
               mean: Sequence[float], std: Sequence[float],
               seed: int = 0) -> torch.Tensor:
    """L-infinity PGD (Madry et al. 2018, ``torchattacks.PGD``, random
    start, step 2.5 eps / steps) against ``model``'s multi-label logits.

    Args:
        model (nn.Module): (N, 3, H, W) normalised images -> (N, C) logits.
        inputs (Tensor): Normalised images by ``mean`` and ``std`` (0-255,
            RGB).
        targets (Tensor): (N, C) multi-hot.
        eps (float): The budget on the 0-1 pixel scale, e.g. 4 / 255.

    Returns:
        Tensor: the attacked images, normalised as ``inputs``.
    """
    import torchattacks
    attack = torchattacks.PGD(
        TwoWayLogits(model), eps=eps, alpha=2.5 * eps / steps, steps=steps,
        random_start=True)
    attack.set_normalization_used([m / 255 for m in mean],
                                  [s / 255 for s in std])
    torch.manual_seed(seed)
    return attack(inputs, targets.long())


def choose_corruptions(cfg, corruptions: Optional[Sequence[str]]):
    """Set ``cfg.corruption`` from a tool's ``--corruptions``: None keeps
    the config's, ``['none']`` drops it, ``['benchmark']`` asks for the 15
    corruptions at severities 1-5, names for those at the config's
    severities."""
    if corruptions is None:
        return
    if list(corruptions) == ['none']:
        cfg.corruption = None
    elif list(corruptions) == ['benchmark']:
        cfg.corruption = dict(corruptions='benchmark',
                              severities=BENCHMARK_SEVERITIES)
    else:
        severities = (cfg.get('corruption') or {}).get(
            'severities', BENCHMARK_SEVERITIES)
        cfg.corruption = dict(corruptions=list(corruptions),
                              severities=severities)
        corruption_names(cfg.corruption['corruptions'])


def print_conditions(conditions: Dict[str, Dict[str, float]]):
    """One line per corruption: its metrics at each severity."""
    if not conditions:
        return
    rows: Dict[str, list] = {}
    for key, values in conditions.items():
        name, severity = key.rsplit('/', 1)
        rows.setdefault(name, []).append(
            f's{severity} ' + ' '.join(f'{k} {v:.2f}'
                                       for k, v in values.items()))
    width = max(map(len, rows))
    print('\n'.join(f'{name:<{width}}  ' + ' | '.join(cells)
                    for name, cells in rows.items()))


def test_under_corruptions(cfg, conditions: Sequence[Tuple[str, int]],
                           clean: Dict[str, float],
                           seed: int = 0) -> dict:
    """Test ``cfg`` (its ``load_from`` set) on its test images under each
    (corruption, severity) of ``conditions``, a runner each, as mmdet's
    ``tools/analysis_tools/test_robustness.py`` does for COCO-C; ``clean``
    is the clean test's metrics. Returns ``conditions``
    (``'<corruption>/<severity>'`` -> headline metrics, percent) and
    ``robustness`` (headline metric -> :func:`corruption_summary`)."""
    from mmengine.runner import Runner

    from mmbrain.evaluation import headline_metrics
    results = {}
    for name, severity in conditions:
        condition = cfg.copy()
        condition.test_dataloader = corrupted_loader(
            cfg.test_dataloader, name, severity, seed)
        condition.work_dir = osp.join(cfg.work_dir, f'{name}-{severity}')
        condition.experiment_name = f'{name}-{severity}'
        results[f'{name}/{severity}'] = headline_metrics(
            Runner.from_cfg(condition).test())
    clean = headline_metrics(clean)
    return dict(conditions=results, robustness={
        metric: corruption_summary(
            value, {c: m.get(metric, 0.) for c, m in results.items()})
        for metric, value in clean.items()})
