"""A linear segmentation probe of a frozen backbone (DINOv2's linear
evaluation, fitted in closed batches): the chosen stages resized to one
grid and concatenated, a linear classifier per location, its logits
upsampled (bilinear) to the label map, scored as mIoU with mmseg's
intersection and union, on clean and corrupted test images.

The classifier is fitted on a seeded sample of labelled locations per
training image; its weight decay is chosen on a validation fifth of the
training images, never on the test images.
"""
import copy
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
from mmseg.evaluation.metrics import IoUMetric

from mmbrain.registry import MODELS
from mmbrain.utils import register_all_modules
from .linear_probe import LinearProbe, fit_on_validation
from .robustness import (corrupted_loader, corruption_conditions,
                         corruption_summary)

IGNORE = 255  # mmseg's ignored label


def grid_features(stages: Sequence[torch.Tensor],
                  grid: Tuple[int, int]) -> torch.Tensor:
    """(N, F, h, w): every stage (N, C_s, h_s, w_s) resized (bilinear) to
    ``grid`` (h, w) and concatenated, F = sum of C_s."""
    return torch.cat([
        F.interpolate(s.float(), size=grid, mode='bilinear',
                      align_corners=False) for s in stages
    ], dim=1)


def cell_labels(labels: torch.Tensor, grid: Tuple[int, int]) -> torch.Tensor:
    """(N, h, w): the label at the centre pixel of each grid cell of
    ``labels`` (N, H, W)."""
    height, width = labels.shape[-2:]
    rows = ((torch.arange(grid[0]) + .5) * height / grid[0]).long()
    cols = ((torch.arange(grid[1]) + .5) * width / grid[1]).long()
    return labels[:, rows][:, :, cols]


def iou_counts(logits: torch.Tensor, labels: torch.Tensor,
               num_classes: int) -> torch.Tensor:
    """(2, K) intersection and union of the argmax of ``logits``
    (N, K, h, w), upsampled (bilinear) to ``labels`` (N, H, W)."""
    pred = F.interpolate(logits, size=labels.shape[-2:], mode='bilinear',
                         align_corners=False).argmax(1)
    intersect, union, _, _ = IoUMetric.intersect_and_union(
        pred.flatten(), labels.flatten(), num_classes, IGNORE)
    return torch.stack([intersect, union]).double().cpu()


def mean_iou(counts: torch.Tensor) -> float:
    """mIoU in percent over the classes with a nonzero union, from
    :func:`iou_counts` summed over images."""
    present = counts[1] > 0
    if not present.any():
        raise ValueError('no labelled pixel: no mIoU')
    return 100. * float((counts[0, present] / counts[1, present]).mean())


class SegmentationProbe:
    """The frozen backbone's grid features of a dataloader's images.

    Args:
        backbone (nn.Module): -> a tuple of stage maps.
        preprocessor (nn.Module): mmseg's ``SegDataPreProcessor``.
        stages (Sequence[int]): The stages concatenated.
        stride (int): The grid's stride, in input pixels.
        device (str): Where the backbone runs.
    """

    def __init__(self, backbone, preprocessor, stages: Sequence[int],
                 stride: int, device: str):
        self.backbone, self.preprocessor = backbone, preprocessor
        self.stages, self.stride, self.device = tuple(stages), stride, device

    @torch.no_grad()
    def batches(self, dataloader_cfg):
        """Yield (features (N, F, h, w), labels (N, H, W) int64) per
        batch."""
        loader = Runner.build_dataloader(dataloader_cfg)
        bar = ProgressBar(len(loader.dataset), file=sys.stdout)
        for batch in loader:
            data = self.preprocessor(batch)
            img = data['inputs'].to(self.device)
            outs = self.backbone(img)
            grid = (img.shape[-2] // self.stride, img.shape[-1] // self.stride)
            labels = torch.stack([
                s.gt_sem_seg.data[0] for s in data['data_samples']
            ]).long()
            yield (grid_features([outs[i] for i in self.stages], grid),
                   labels.to(self.device))
            bar.update(len(labels))
        print(flush=True)

    def sample(self, dataloader_cfg, per_image: int,
               seed: int) -> Tuple[torch.Tensor, torch.Tensor, np.ndarray]:
        """Features (M, F), labels (M, ) and image index (M, ) of up to
        ``per_image`` seeded labelled cells of each image."""
        rng = np.random.default_rng(seed)
        feats, labels, images = [], [], []
        for x, y in self.batches(dataloader_cfg):
            cells = cell_labels(y, x.shape[-2:]).flatten(1)  # (N, h * w)
            x = x.flatten(2).transpose(1, 2)  # (N, h * w, F)
            for i in range(len(x)):
                valid = np.flatnonzero(cells[i].cpu().numpy() != IGNORE)
                take = rng.choice(valid, min(per_image, len(valid)),
                                  replace=False)
                feats.append(x[i, take].cpu())
                labels.append(cells[i, take].cpu())
                images.append(np.full(len(take), len(images)))
        return torch.cat(feats), torch.cat(labels), np.concatenate(images)

    def score(self, dataloader_cfg, probe: LinearProbe,
              num_classes: int) -> float:
        """mIoU (%) of ``probe`` over the images of ``dataloader_cfg``."""
        probe, counts = copy.deepcopy(probe).to(self.device), 0
        for x, y in self.batches(dataloader_cfg):
            logits = probe(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
            counts = counts + iou_counts(logits, y, num_classes)
        return mean_iou(counts)


def sampled_miou(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """mIoU (%) of the argmax of (M, K) ``logits`` at sampled cells."""
    counts = iou_counts(logits.T[None, :, :, None], labels[None, :, None],
                        logits.shape[1])
    return mean_iou(counts)


@dataclass
class SegmentationProbeResult:
    """What :func:`probe_segmentation` gives.

    Attributes:
        metrics (dict): ``segmentation/mIoU`` (percent) and, with a
            ``corruption`` section, ``segmentation/mPC`` and ``_rPC``;
            ``segmentation/weight_decay`` (chosen on validation).
        conditions (dict): ``'<corruption>/<severity>'`` -> {linear: mIoU}.
        shapes (dict): train cells, features, classes.
        seconds (dict): ``features``, ``fit``, ``test``, ``corruptions``.
    """
    metrics: Dict[str, float]
    conditions: Dict[str, Dict[str, float]]
    shapes: Dict[str, int]
    seconds: Dict[str, float]


def probe_segmentation(cfg: Config,
                       device: str = 'cpu') -> SegmentationProbeResult:
    """Fit the linear probe on ``cfg.train_dataloader``'s images (``cfg.probe``:
    ``stages``, ``stride``, ``cells_per_image``, ``weight_decays``,
    ``val_fraction``) and score it on ``cfg.test_dataloader``'s, clean and
    under ``cfg.corruption`` (optional)."""
    register_all_modules()
    if cfg.get('randomness'):  # a random-init backbone's weights
        set_random_seed(**cfg.randomness)
    seed = cfg.get('randomness', {}).get('seed', 0)
    backbone = MODELS.build(cfg.model.backbone)
    backbone.init_weights()  # loads its init_cfg checkpoint
    backbone.to(device).eval()  # mmpretrain's train() returns None
    num_classes = len(cfg.train_dataloader.dataset.metainfo['classes'])
    features = SegmentationProbe(backbone,
                                 MODELS.build(cfg.data_preprocessor),
                                 cfg.probe.stages, cfg.probe.stride, device)
    seconds, start = {}, time.perf_counter()
    x, y, images = features.sample(cfg.train_dataloader,
                                   cfg.probe.cells_per_image, seed)
    seconds['features'] = time.perf_counter() - start
    start = time.perf_counter()
    probe, weight_decay = fit_on_validation(
        x, y, num_classes, cfg.probe.weight_decays, sampled_miou,
        loss=F.cross_entropy, groups=images,
        val_fraction=cfg.probe.val_fraction, seed=seed)
    seconds['fit'] = time.perf_counter() - start
    start = time.perf_counter()
    clean = features.score(cfg.test_dataloader, probe, num_classes)
    seconds['test'] = time.perf_counter() - start
    metrics = {'segmentation/mIoU': clean}
    conditions: Dict[str, Dict[str, float]] = {}
    if cfg.get('corruption'):
        start = time.perf_counter()
        for name, severity in corruption_conditions(cfg.corruption):
            conditions[f'{name}/{severity}'] = dict(linear=features.score(
                corrupted_loader(cfg.test_dataloader, name, severity, seed),
                probe, num_classes))
        summary = corruption_summary(
            clean, {c: v['linear'] for c, v in conditions.items()})
        metrics.update({f'segmentation/{k}': v for k, v in summary.items()})
        seconds['corruptions'] = time.perf_counter() - start
    metrics['segmentation/weight_decay'] = weight_decay
    return SegmentationProbeResult(
        metrics=metrics,
        conditions=conditions,
        shapes=dict(cells=len(x), features=x.shape[1], classes=num_classes),
        seconds=seconds)
