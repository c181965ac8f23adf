"""NSD's ncsnr estimated from single-trial betas, to check the demo data's
(the caches read NSD's own ``ncsnr`` files), and compared with NSD's own
figures (:mod:`mmbrain.datasets.nsd.published_ncsnr`)."""
from typing import Dict, Optional, Sequence

import numpy as np

from mmbrain.datasets.nsd.published_ncsnr import LOW_NCSNR, NSD_NCSNR
from mmbrain.datasets.nsd import (layout, load_expdesign, load_roi_voxels,
                                  read_session_betas)
from mmbrain.datasets.nsd.prepare import zscore_session
from mmbrain.evaluation.metrics.pearson import noise_ceiling


def estimate_ncsnr(betas: np.ndarray, images: np.ndarray) -> np.ndarray:
    """NSD's ncsnr of each voxel from its single-trial responses (Allen et
    al. 2022): the noise variance is the mean over images of the variance
    across an image's repeats (ddof 1), the signal variance what is left of
    the total; ``ncsnr = sqrt(max(0, total - noise) / noise)``.

    Args:
        betas (np.ndarray): (T, V) responses (z-scored per session, as NSD
            computes it).
        images (np.ndarray): (T, ) the image of each trial; images seen
            once are left out of the noise.

    Returns:
        np.ndarray: (V, ) ncsnr (0 where there is no signal).
    """
    ids, inverse, counts = np.unique(images, return_inverse=True,
                                     return_counts=True)
    sums = np.zeros((len(ids), betas.shape[1]))
    squares = np.zeros_like(sums)
    np.add.at(sums, inverse, betas)
    np.add.at(squares, inverse, betas**2)
    repeated = counts > 1
    n = counts[repeated, None]
    within = (squares[repeated] - sums[repeated]**2 / n) / (n - 1)
    noise = within.mean(0)
    signal = np.clip(betas.var(0) - noise, 0, None)
    return np.sqrt(np.divide(signal, noise, out=np.zeros_like(noise),
                             where=noise > 0))


def measure_ncsnr(root: str, subject: int, roi: str) -> np.ndarray:
    """:func:`estimate_ncsnr` of one ROI's voxels from the raw NSD betas of
    one subject under ``root``, each session z-scored per voxel as
    ``prepare_nsd.py`` does it. Voxels constant in a session (dead) are
    left out, as the preparation drops them.

    Args:
        root (str): The NSD data_root (raw layout).
        subject (int): 1-based subject.
        roi (str): A mask name, e.g. ``'floc-faces'`` or ``'nsdgeneral'``.

    Returns:
        np.ndarray: (V, ) ncsnr of the ROI's live voxels.
    """
    voxels = load_roi_voxels(layout.roi_path(root, subject, roi))
    sessions, _ = layout.find_sessions(root, subject, allow_partial=True)
    betas, dead = [], np.zeros(len(voxels.ijk), bool)
    for session in sessions:
        z, bad = zscore_session(
            read_session_betas(layout.betas_path(root, subject, session),
                               voxels.ijk, voxels.volume_shape))
        betas.append(z)
        dead |= bad
    betas = np.concatenate(betas)  # (T, V)
    images = load_expdesign(
        layout.expdesign_path(root)).trial_nsd_ids(subject)[:len(betas)]
    return estimate_ncsnr(betas[:, ~dead], images)


def ncsnr_summary(ncsnr: np.ndarray, repeats: int = 3,
                  low: float = LOW_NCSNR) -> Dict[str, float]:
    """The figures of an ncsnr distribution that NSD's are compared on.

    Args:
        ncsnr (np.ndarray): (V, ) ncsnr of some voxels.
        repeats (int): Trials averaged for the noise ceiling.
        low (float): Threshold of the lower tail.

    Returns:
        dict: ``median``, ``p10``, ``p90``, ``below`` (share of the voxels
        under ``low``) and ``noise_ceiling`` (median, % of the variance of
        ``repeats``-trial averages).
    """
    return dict(
        median=float(np.median(ncsnr)),
        p10=float(np.percentile(ncsnr, 10)),
        p90=float(np.percentile(ncsnr, 90)),
        below=float(np.mean(ncsnr < low)),
        noise_ceiling=100 * float(np.median(noise_ceiling(ncsnr, repeats))))


def ncsnr_table(root: str, subjects: Optional[Sequence[int]] = None) -> str:
    """A markdown table: per ROI group and nsdgeneral, the ncsnr measured
    under ``root`` (voxels of ``subjects`` pooled; default every subject
    of the experiment design) beside NSD's in parentheses."""
    if subjects is None:
        design = load_expdesign(layout.expdesign_path(root))
        subjects = range(1, design.subjectim.shape[0] + 1)
    rows = ['| group | voxels | median | 10th pct | 90th pct | '
            f'< {LOW_NCSNR} | NC 3 trials % |', '|---' * 7 + '|']
    for roi in layout.ROI_GROUPS + ('nsdgeneral', ):
        ncsnr = np.concatenate(
            [measure_ncsnr(root, s, roi) for s in subjects])
        got = ncsnr_summary(ncsnr, low=LOW_NCSNR)
        nsd = NSD_NCSNR[roi]
        nsd_nc = 100 * noise_ceiling(nsd.median, 3)
        rows.append(
            f'| {roi} | {len(ncsnr)} | {got["median"]:.2f} ({nsd.median:.2f})'
            f' | {got["p10"]:.2f} ({nsd.p10:.2f}) | {got["p90"]:.2f} '
            f'({nsd.p90:.2f}) | {100 * got["below"]:.1f}% '
            f'({100 * nsd.below:.0f}%) | {got["noise_ceiling"]:.1f} '
            f'({nsd_nc:.1f}) |')
    return '\n'.join(rows)
