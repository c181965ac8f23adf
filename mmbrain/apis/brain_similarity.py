"""Brain similarity as representational similarity analysis (RSA): how
alike a frozen backbone and a held-out subject's brain arrange the test
images, per ROI group, through rsatoolbox, raw and against a split-half
noise ceiling.

Both representations become representational dissimilarity matrices (RDMs)
of correlation distance, ``1 - Pearson r`` between the patterns of two
images: the backbone's pooled features (``cfg.model``, the features of the
ridge readout) and each ROI group's repeat-averaged responses. The two RDMs
are compared by the Pearson correlation of their upper triangles
(rsatoolbox's ``'corr'``; ``method='spearman'`` or ``'rho-a'`` rank them
first):

- Spearman-Brown's formula, which turns the split-half correlation into the
  ceiling, is derived for Pearson correlations (the reliability of a sum of
  parallel halves), so Pearson keeps the score and its ceiling on one
  footing;
- correlation distances of continuous features and responses have no ties,
  which is what the rank methods (``'rho-a'`` in particular) are for: RDMs
  of categorical models;
- it is the RDM correlation of much NSD work (and the numpy definition the
  tests check it against). Spearman is the choice when only a monotonic,
  not a linear, relation between the distances is expected; the ceiling
  then uses Spearman too.

The ceiling: the cache holds, for each test image shown 2 or more times,
the mean of its odd-numbered trials and of its even-numbered ones
(:meth:`~mmbrain.datasets.nsd.BrainCache.halves`). The RDMs of the two
half-averages correlate ``r_half``; the ceiling is the Spearman-Brown
corrected ``2 r_half / (1 + r_half)``, the expected RDM correlation of two
full averages, and the normalised similarity is ``raw / ceiling``. (NSD's
test images have 3 repeats, split 2 + 1, so the doubling is an
approximation of the 3-trial average's reliability.) With halves, the raw
score is taken on the same images as the ceiling (the test images with
halves); an Algonauts cache has no trials, so its ceiling and normalised
score are None, and a ceiling of 0 or below leaves the normalised score
None.
"""
import time
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.config import Config
from rsatoolbox.data import Dataset
from rsatoolbox.rdm import RDMs, calc_rdm, compare

from mmbrain.datasets.nsd import BrainCache
from mmbrain.utils import ConfigError
from .readout_fit import extract, frozen_extractor

# rsatoolbox's comparisons that need nothing but the two RDMs
METHODS = ('corr', 'spearman', 'rho-a', 'cosine', 'kendall', 'tau-a')


def correlation_rdm(patterns: np.ndarray) -> RDMs:
    """The RDM of correlation distance (``1 - Pearson r`` of two rows).

    Args:
        patterns (np.ndarray): (N, P) one pattern per image.

    Returns:
        RDMs: one RDM, (N (N - 1) / 2,) dissimilarities.
    """
    return calc_rdm(Dataset(np.asarray(patterns, np.float64)),
                    method='correlation')


def compare_rdms(rdm1: RDMs, rdm2: RDMs, method: str = 'corr') -> float:
    """rsatoolbox's similarity of two single RDMs (``method`` as in
    :func:`rsatoolbox.rdm.compare`, one of :data:`METHODS`)."""
    if method not in METHODS:
        raise ConfigError(f'RSA method {method!r} is not one of {METHODS}')
    return float(compare(rdm1, rdm2, method=method)[0, 0])


def rdm_similarity(features: np.ndarray,
                   responses: np.ndarray,
                   method: str = 'corr') -> float:
    """RSA of a backbone and an ROI: the similarity of their RDMs.

    Args:
        features (np.ndarray): (N, F) the backbone's features.
        responses (np.ndarray): (N, V) the ROI's responses to the same
            images, in the same order.
        method (str): The RDM comparison (:data:`METHODS`).
    """
    return compare_rdms(
        correlation_rdm(features), correlation_rdm(responses), method)


def spearman_brown(r_half: float) -> float:
    """The reliability of a whole from that of its halves: ``2 r / (1 +
    r)`` (-1 < r <= 1)."""
    return 2 * r_half / (1 + r_half)


def split_half_ceiling(halves: np.ndarray,
                       method: str = 'corr') -> Tuple[float, float]:
    """The split-half noise ceiling of an ROI's RDM.

    Args:
        halves (np.ndarray): (N, 2, V) of each image, the mean responses of
            its odd- (``[:, 0]``) and even-numbered (``[:, 1]``) trials.
        method (str): The RDM comparison (:data:`METHODS`), as for the raw
            score.

    Returns:
        tuple: ``r_half``, the similarity of the halves' RDMs, and the
        ceiling ``2 r_half / (1 + r_half)``.
    """
    r_half = rdm_similarity(halves[:, 0], halves[:, 1], method)
    return r_half, spearman_brown(r_half)


def rsa_metrics(features: np.ndarray,
                responses: Sequence[np.ndarray],
                rois: Sequence[str],
                halves: Optional[Sequence[np.ndarray]] = None,
                method: str = 'corr') -> Dict[str, Optional[float]]:
    """RSA per ROI group, raw, its ceiling and the normalised score.

    Args:
        features (np.ndarray): (N, F) the backbone's features.
        responses (Sequence[np.ndarray]): per ROI, (N, V_k).
        rois (Sequence[str]): The ROIs' names.
        halves (Sequence[np.ndarray], optional): per ROI, (N, 2, V_k) split
            halves of the same images; None without trials (Algonauts).
        method (str): The RDM comparison (:data:`METHODS`).

    Returns:
        dict: ``rsa/<roi>``, ``rsa_ceiling/<roi>`` and
        ``rsa_normalised/<roi>`` (None without halves, or for a ceiling of
        0 or below), ``rsa/mean`` (the mean over ROIs) and
        ``rsa_normalised/mean``: the mean score over the mean ceiling (not
        the mean of the ratios, which one ROI with a ceiling near 0
        sways), None without ceilings or for a mean ceiling of 0 or
        below.
    """
    model_rdm = correlation_rdm(features)
    metrics, raw, ceilings = {}, [], []
    for k, roi in enumerate(rois):
        value = compare_rdms(model_rdm, correlation_rdm(responses[k]), method)
        ceiling = None if halves is None else split_half_ceiling(
            halves[k], method)[1]
        metrics[f'rsa/{roi}'] = value
        metrics[f'rsa_ceiling/{roi}'] = ceiling
        metrics[f'rsa_normalised/{roi}'] = (
            value / ceiling if ceiling is not None and ceiling > 0 else None)
        raw.append(value)
        ceilings.append(ceiling)
    metrics['rsa/mean'] = float(np.mean(raw))
    mean_ceiling = None if None in ceilings else float(np.mean(ceilings))
    metrics['rsa_normalised/mean'] = (
        metrics['rsa/mean'] / mean_ceiling
        if mean_ceiling is not None and mean_ceiling > 0 else None)
    return metrics


def split_halves_of(dataset) -> Tuple[Optional[np.ndarray],
                                      Optional[list]]:
    """The split halves of a one-subject dataset's samples.

    Returns:
        tuple: (N_h,) indices of the samples whose response row has halves,
        in order, and per ROI (N_h, 2, V_k) their halves; (None, None) for
        a cache without trials (Algonauts).
    """
    rows = np.array([
        dataset.get_data_info(i)['cache_index'] for i in range(len(dataset))
    ], dtype=np.int64)
    with BrainCache(dataset.cache_file(dataset.subjects[0]),
                    dataset.rois) as cache:
        if cache.half_rows is None:
            return None, None
        has = np.isin(rows, cache.half_rows)
        where = np.searchsorted(cache.half_rows, rows[has])
        return np.flatnonzero(has), [
            cache.halves(roi)[where] for roi in dataset.rois
        ]


@dataclass
class BrainSimilarity:
    """What :func:`brain_similarity` gives.

    Attributes:
        metrics (dict): :func:`rsa_metrics`'s, by name.
        shapes (dict): ``test`` images, ``images`` scored (those with
            halves, when the cache has them), ``features``, ``voxels``.
        seconds (dict): ``features`` and ``rsa``.
        ceiling (bool): Whether the cache had split halves of 3 or more
            test images (the least an RDM correlation needs).
    """
    metrics: Dict[str, Optional[float]]
    shapes: Dict[str, int]
    seconds: Dict[str, float]
    ceiling: bool


def brain_similarity(cfg: Config,
                     device: str = 'cpu',
                     method: Optional[str] = None) -> BrainSimilarity:
    """RSA of ``cfg.model``'s features of ``cfg.test_dataloader``'s images
    (the held-out subject's test images) with its responses, per ROI group
    (:func:`rsa_metrics`), with the split-half ceiling when the cache holds
    halves (raw NSD), on the test images that have them.

    Args:
        cfg (Config): An encoding config (``configs/encoding/``).
        device (str): Where the backbone runs.
        method (str, optional): The RDM comparison; defaults to
            ``cfg.rsa.method``, else ``'corr'``.
    """
    method = method or cfg.get('rsa', {}).get('method', 'corr')
    if method not in METHODS:
        raise ConfigError(f'RSA method {method!r} is not one of {METHODS}')
    model, preprocessor = frozen_extractor(cfg, device)
    start = time.perf_counter()
    feats, responses, test_set = extract(model, preprocessor,
                                         cfg.test_dataloader, device)
    features_s = time.perf_counter() - start

    start = time.perf_counter()
    feats = feats.double().numpy()  # [N, F]
    responses: List[np.ndarray] = [y.double().numpy() for y in responses]
    keep, halves = split_halves_of(test_set)
    if keep is not None and len(keep) < 3:
        keep = halves = None  # too few images for an RDM of halves
    if keep is not None:
        feats, responses = feats[keep], [y[keep] for y in responses]
    metrics = rsa_metrics(feats, responses, test_set.rois, halves, method)
    rsa_s = time.perf_counter() - start
    return BrainSimilarity(
        metrics=metrics,
        shapes=dict(test=len(test_set), images=len(feats),
                    features=feats.shape[1],
                    voxels=sum(y.shape[1] for y in responses)),
        seconds=dict(features=features_s, rsa=rsa_s),
        ceiling=halves is not None)

