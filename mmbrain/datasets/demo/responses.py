"""Synthetic brains: ROI volumes, and how their voxels respond to images."""
from typing import Dict, List

import numpy as np
from nibabel.affines import apply_affine

from ..nsd import layout


def subject_volume(rng: np.random.Generator, subject: int):
    """A small brain volume with the six ROI groups as labelled blobs.

    Returns:
        tuple: (X, Y, Z) shape, (4, 4) affine, dict ROI -> int32 label
        volume (-1 outside the brain, 0 unlabelled, > 0 in the ROI).
    """
    shape = (18 + subject, 22 + (subject % 3), 16 + (subject % 2))
    affine = np.array([[-1.8, 0, 0, 0.9 * shape[0]],
                       [0, 1.8, 0, -0.9 * shape[1] - 10],
                       [0, 0, 1.8, -0.9 * shape[2] + 5], [0, 0, 0, 1.]])
    ijk = np.indices(shape).reshape(3, -1).T
    centre = (np.array(shape) - 1) / 2
    inside = (((ijk - centre) / (np.array(shape) / 2))**2).sum(1) <= 1.0
    labels = {}
    for roi in layout.ROI_GROUPS:
        c = centre + rng.uniform(-0.3, 0.3, 3) * np.array(shape)
        radius = rng.uniform(2.5, 4.0, 3) * (2.0 if roi in (
            'prf-visualrois', 'streams') else 1.0)
        blob = (((ijk - c) / radius)**2).sum(1) <= 1.0
        vol = np.where(inside, 0, -1)
        vol[blob & inside] = 1 + (ijk[blob & inside, 2] % 3)  # sub-areas
        labels[roi] = vol.reshape(shape).astype(np.int32)
    return shape, affine, labels


# the first three label names of each mask's NSD label table (the demo's
# groups have labels 1-3), and nsdgeneral's one label
AREA_NAMES = {
    'prf-visualrois': {1: 'V1v', 2: 'V1d', 3: 'V2v'},
    'floc-bodies': {1: 'EBA', 2: 'FBA-1', 3: 'FBA-2'},
    'floc-faces': {1: 'OFA', 2: 'FFA-1', 3: 'FFA-2'},
    'floc-places': {1: 'OPA', 2: 'PPA', 3: 'RSC'},
    'floc-words': {1: 'OWFA', 2: 'VWFA-1', 3: 'VWFA-2'},
    'streams': {1: 'early', 2: 'midventral', 3: 'midlateral'},
    'nsdgeneral': {1: 'nsdgeneral'},
}


def nsdgeneral_mask(labels: Dict[str, np.ndarray]) -> np.ndarray:
    """(X, Y, Z) int32 ``nsdgeneral``: 1 in any of the six groups, 0
    elsewhere in the brain, -1 outside (as NSD's, it holds the visual
    groups)."""
    brain = labels[layout.ROI_GROUPS[0]] >= 0
    inside = np.any([labels[r] > 0 for r in layout.ROI_GROUPS], axis=0)
    return np.where(inside, 1, np.where(brain, 0, -1)).astype(np.int32)


def synthetic_t1(labels: Dict[str, np.ndarray]) -> np.ndarray:
    """(X, Y, Z) float32 T1-like anatomy of the demo brain: bright white
    matter inside, a folded grey-matter ribbon, dark fluid at the rim, 0
    outside (deterministic, no random draw)."""
    brain = labels[layout.ROI_GROUPS[0]] >= 0
    shape = np.array(brain.shape)
    ijk = np.indices(brain.shape).transpose(1, 2, 3, 0)
    rel = (ijk - (shape - 1) / 2) / (shape / 2)
    radius = np.sqrt((rel**2).sum(-1))
    # gyri: the grey/white boundary moves in and out with the angle
    angle = np.arctan2(rel[..., 1], rel[..., 0])
    boundary = 0.62 + 0.08 * np.sin(7 * angle) * np.cos(4 * rel[..., 2])
    t1 = np.where(radius < boundary, 110., np.where(radius < 0.9, 70., 35.))
    return np.where(brain, t1, 0.).astype(np.float32)


def _smooth_weights(coords: np.ndarray, dim: int,
                    rng: np.random.Generator) -> np.ndarray:
    """(V, dim) weights that vary smoothly with voxel position (mm)."""
    freqs = rng.normal(0, 1 / 12, (3, 16))
    phases = rng.uniform(0, 2 * np.pi, 16)
    basis = np.cos(coords @ freqs + phases)  # (V, 16)
    return basis @ rng.normal(0, 1, (16, dim)) / 4 + rng.normal(
        0, 0.3, (len(coords), dim))


def _prf_weights(coords: np.ndarray, grid: int = 8) -> np.ndarray:
    """(V, grid*grid) Gaussian receptive fields: the voxel's (y, z) position
    in the volume maps to the field's centre in the image."""
    lo, hi = coords.min(0), coords.max(0)
    pos = (coords - lo) / np.maximum(hi - lo, 1e-6) * (grid - 1)
    gy, gx = np.mgrid[0:grid, 0:grid]
    d2 = (gx.ravel()[None] - pos[:, 1:2])**2 + (gy.ravel()[None] -
                                               pos[:, 2:3])**2
    return 3 * np.exp(-d2 / 2)


# Each ROI group's voxel ncsnr (signal std over the noise std of one trial),
# drawn per voxel from a lognormal: (median, sd of its log). Measured from
# the betas as NSD measures it, each group then shows NSD's figures
# (:mod:`~mmbrain.datasets.nsd.published_ncsnr`: medians 0.40 in early
# visual cortex, 0.26 in ventral temporal cortex, 0.33 in nsdgeneral, with a long tail of voxels
# with little signal, about a quarter of nsdgeneral below 0.2). A voxel in
# several groups takes the group listed last, so each group as measured
# mixes its own draws with later groups': prf-visualrois, a third of whose
# voxels the floc groups take in some subjects, is set above its target and
# narrower, and the voxels streams keeps to itself below nsdgeneral's
# median (most of streams is prf-visualrois). The floc groups are set 0.01
# below their target, which a 300-image demo overestimates by about that.
NCSNR_LOGNORMAL = {
    'streams': (0.26, 0.66),
    'prf-visualrois': (0.43, 0.5),
    'floc-places': (0.25, 0.66),
    'floc-bodies': (0.25, 0.66),
    'floc-faces': (0.25, 0.66),
    'floc-words': (0.25, 0.66),
}
# NSD's highest voxel ncsnr (a noise ceiling of about 84% for three trials,
# Brain-Score's volumetric V1 and ventral stream maxima): the lognormal's far
# tail is cut there
MAX_NCSNR = 1.35


def voxel_ncsnr(rng: np.random.Generator,
                labels: Dict[str, np.ndarray]) -> np.ndarray:
    """(X, Y, Z) ncsnr of every voxel, from :data:`NCSNR_LOGNORMAL` (0 in
    no ROI)."""
    shape = labels[layout.ROI_GROUPS[0]].shape
    ncsnr = np.zeros(shape)
    for roi, (median, log_sd) in NCSNR_LOGNORMAL.items():
        inside = labels[roi] > 0
        ncsnr[inside] = np.minimum(
            rng.lognormal(np.log(median), log_sd, int(inside.sum())),
            MAX_NCSNR)
    return ncsnr


def voxel_signal(rng: np.random.Generator, labels: Dict[str, np.ndarray],
                 affine: np.ndarray, features: List[Dict]) -> np.ndarray:
    """(N, X, Y, Z) noise-free response of every voxel to each of the N
    images: its ROI's standardised features (``features[i][roi]``, from
    :func:`~.scenes.scene_features`) weighed by the voxel's weights (summed
    over the groups it is in), then standardised over the images, so that
    every voxel holds the same signal variance and each group's share of it
    is its share of the voxels. Voxels in no ROI respond to nothing, as in
    a real brain outside visual cortex."""
    shape = labels[layout.ROI_GROUPS[0]].shape
    signal = np.zeros((len(features), ) + shape, dtype=np.float64)
    for roi in layout.ROI_GROUPS:
        ijk = np.argwhere(labels[roi] > 0)
        coords = apply_affine(affine, ijk)
        feats = np.stack([f[roi] for f in features])  # (N, F)
        feats = (feats - feats.mean(0)) / (feats.std(0) + 1e-6)
        weights = (_prf_weights(coords) if roi == 'prf-visualrois' else
                   _smooth_weights(coords, feats.shape[1], rng))
        signal[:, ijk[:, 0], ijk[:, 1], ijk[:, 2]] += feats @ weights.T
    std = signal.std(0)
    return np.divide(signal - signal.mean(0), std, out=np.zeros_like(signal),
                     where=std > 0)
