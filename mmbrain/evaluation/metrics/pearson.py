from collections import defaultdict
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric

from mmbrain.registry import METRICS


def pearson_per_voxel(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Pearson r of every column over the rows.

    Args:
        pred (np.ndarray): (N, V) predicted responses.
        target (np.ndarray): (N, V) measured responses.

    Returns:
        np.ndarray: (V,) r; 0 where a column is constant.
    """
    p = pred - pred.mean(0)
    t = target - target.mean(0)
    denom = np.sqrt((p**2).sum(0) * (t**2).sum(0))
    return np.divide((p * t).sum(0), denom, out=np.zeros(p.shape[1]),
                     where=denom > 0)


def noise_normalized_score(r: np.ndarray, ceiling: np.ndarray) -> np.ndarray:
    """Algonauts 2023 per-voxel score: ``min(100, 100 max(r, 0)^2 / NC)``,
    with the noise ceiling NC as a fraction of variance (0 where NC is 0)."""
    score = np.divide(
        100 * np.clip(r, 0, None)**2,
        ceiling,
        out=np.zeros_like(r),
        where=ceiling > 0)
    return np.minimum(score, 100)


def noise_ceiling(ncsnr: np.ndarray, num_averaged: float) -> np.ndarray:
    """NSD noise ceiling (fraction of variance) of responses averaged over
    ``num_averaged`` trials: ``ncsnr^2 / (ncsnr^2 + 1 / n)`` (Allen et al.
    2022)."""
    return ncsnr**2 / (ncsnr**2 + 1 / num_averaged)


def encoding_scores(pred: Sequence[np.ndarray],
                    target: Sequence[np.ndarray],
                    rois: Sequence[str],
                    ceilings: Optional[Sequence[np.ndarray]] = None,
                    areas: Optional[Sequence[np.ndarray]] = None
                    ) -> Dict[str, float]:
    """The brain response prediction figures, each named by what it is.

    Args:
        pred (Sequence[np.ndarray]): Per ROI, (N, V_k) predictions.
        target (Sequence[np.ndarray]): Per ROI, (N, V_k) measurements.
        rois (Sequence[str]): ROI names.
        ceilings (Sequence[np.ndarray], optional): Per ROI, (V_k,) noise
            ceilings as fractions of variance.
        areas (Sequence[np.ndarray], optional): Per ROI, (V_k,) the name of
            each voxel's area (:meth:`NSDBrainDataset.areas`).

    Returns:
        dict: ``mean_r`` (mean over all voxels of all ROIs; a voxel in two
        ROIs counts in each), ``median_r/<roi>``, ``roi_median_r`` (the
        per-ROI medians averaged over ROIs), with areas
        ``median_r/<roi>/<area>`` (the median over the area's voxels, areas
        sorted by name), and with ceilings ``noise_normalized`` (the
        Algonauts 2023 score, mean over voxels, in %).
    """
    rs = [pearson_per_voxel(p, t) for p, t in zip(pred, target)]
    out = {'mean_r': float(np.concatenate(rs).mean())}
    medians = [float(np.median(r)) for r in rs]
    out.update({f'median_r/{roi}': m for roi, m in zip(rois, medians)})
    out['roi_median_r'] = float(np.mean(medians))
    for roi, r, names in zip(rois, rs, areas or ()):
        names = np.asarray(names)
        if names.shape != r.shape:
            raise ValueError(f'{roi}: {names.shape} area names for '
                             f'{r.shape} voxels')
        for area in np.unique(names):
            out[f'median_r/{roi}/{area}'] = float(np.median(r[names ==
                                                             area]))
    if ceilings is not None:
        out['noise_normalized'] = float(
            np.concatenate([
                noise_normalized_score(r, c) for r, c in zip(rs, ceilings)
            ]).mean())
    return out


@METRICS.register_module()
class BrainEncodingMetric(BaseMetric):
    """Per-voxel Pearson r between predicted and measured responses over
    the test images; see :func:`encoding_scores` for the figures. With
    samples of several subjects (whose voxels differ), each figure is
    computed per subject and averaged over them.

    Each sample gives ``pred_fmri`` and ``gt_fmri`` (per ROI, (V_k,)) and,
    optionally, ``noise_ceiling`` (per ROI, (V_k,)), ``rois``, ``subject``
    and ``areas`` (per ROI, (V_k,) each voxel's area name).

    Args:
        areas (bool): Also the median r of each named area of each ROI
            (``median_r/<roi>/<area>``, e.g. ``median_r/floc-faces/FFA-1``);
            the samples must give ``areas``. Defaults to False.
    """
    default_prefix = 'pcc'

    def __init__(self, areas: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.areas = areas

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            if self.areas and sample.get('areas') is None:
                raise ValueError('BrainEncodingMetric(areas=True) needs '
                                 "each sample's 'areas' (per ROI, the area "
                                 'name of each voxel)')
            self.results.append({
                k: sample.get(k)
                for k in ('pred_fmri', 'gt_fmri', 'noise_ceiling', 'rois',
                          'subject', 'areas')
            })

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        by_subject = defaultdict(list)
        for r in results:
            by_subject[r['subject']].append(r)
        scores = [self._scores(rows) for rows in by_subject.values()]
        # an area absent from a subject is averaged over the others
        keys = dict.fromkeys(k for s in scores for k in s)
        return {key: float(np.mean([s[key] for s in scores if key in s]))
                for key in keys}

    def _scores(self, results: List[dict]) -> Dict[str, float]:
        """:func:`encoding_scores` of one subject's samples."""
        num_rois = len(results[0]['gt_fmri'])
        rois = results[0]['rois'] or [f'roi{k}' for k in range(num_rois)]
        stack = lambda key, k: np.stack(  # noqa: E731
            [np.asarray(r[key][k]) for r in results])
        ceilings = results[0]['noise_ceiling']
        return encoding_scores(
            [stack('pred_fmri', k) for k in range(num_rois)],
            [stack('gt_fmri', k) for k in range(num_rois)], rois,
            None if ceilings is None else [np.asarray(c) for c in ceilings],
            results[0]['areas'] if self.areas else None)
