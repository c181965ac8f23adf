"""The demo's NSD, written through :mod:`..nsd.raw_writer`."""
from typing import Dict, List

import numpy as np

from mmbrain.evaluation.metrics.pearson import noise_ceiling
from ..nsd import layout, raw_writer
from .responses import (AREA_NAMES, nsdgeneral_mask, subject_volume,
                        synthetic_t1, voxel_ncsnr, voxel_signal)
from .spec import DemoSpec


def write_nsd(root: str, spec: DemoSpec, images: np.ndarray,
              features: List[Dict], order: np.ndarray, coco_ids: np.ndarray,
              coco_split: List[str]) -> Dict:
    """The stimuli brick, experiment design, stimulus table and every
    subject's ROIs and betas under ``root``.

    Args:
        images: (N, size, size, 3) uint8 images, N = ``spec.num_images``.
        features: :func:`~.scenes.scene_features` of each image.
        order: (T, ) image column (0-based) of each trial, the same for
            every subject.
        coco_ids, coco_split: (N, ) COCO id and split of each image.

    Returns:
        dict: subject -> summary of its volume.
    """
    raw_writer.write_stimuli(root, images)

    # experiment design (1-based on disk): the shared images, then each
    # subject's own
    shared = np.arange(spec.num_shared)
    subjectim = np.stack([
        np.concatenate([
            shared, spec.num_shared + s * spec.num_own +
            np.arange(spec.num_own)
        ]) for s in range(spec.num_subjects)
    ])
    raw_writer.write_expdesign(root, order, subjectim, shared)
    raw_writer.write_stim_info(
        root, coco_ids, coco_split,
        np.arange(spec.num_images) < spec.num_shared,
        raw_writer.repeat_trials(subjectim, order, spec.num_images))
    return {
        subject: _write_subject(root, subject, spec, features,
                                subjectim[subject - 1], order)
        for subject in range(1, spec.num_subjects + 1)
    }


def _write_subject(root: str, subject: int, spec: DemoSpec,
                   features: List[Dict], subjectim: np.ndarray,
                   order: np.ndarray) -> Dict:
    """One subject's ROI NIfTIs (the six groups and ``nsdgeneral``, their
    union) with NSD's label tables, a T1 in their space, ncsnr and
    per-session betas: the voxel signal of :func:`~.responses.voxel_signal`
    scaled by the voxel's ncsnr (from :func:`~.responses.voxel_ncsnr`; 0
    outside the ROIs), with a per-session drift and gain, plus trial noise
    of std ``spec.noise`` (so the ncsnr is divided by ``spec.noise``), and
    3 dead (constant 0) voxels in the ROIs.

    Args:
        subjectim: (C, ) nsd id (0-based) of each of the subject's image
            columns.
        order: (T, ) image column of each trial.
    """
    rng = np.random.default_rng([spec.seed, subject])
    shape, affine, labels = subject_volume(rng, subject)
    brain = labels[layout.ROI_GROUPS[0]] >= 0
    raw_writer.write_rois(root, subject,
                          dict(labels, nsdgeneral=nsdgeneral_mask(labels)),
                          affine)
    for mask, names in AREA_NAMES.items():
        raw_writer.write_label_table(root, subject, mask, names)
    raw_writer.write_t1(root, subject, synthetic_t1(labels), affine)
    signal = voxel_signal(rng, labels, affine, features)
    # a few dead voxels inside the ROIs: constant 0, to be dropped
    roi_any = np.argwhere(
        np.any([labels[r] > 0 for r in layout.ROI_GROUPS], axis=0))
    dead = roi_any[rng.choice(len(roi_any), 3, replace=False)]
    brain[dead[:, 0], dead[:, 1], dead[:, 2]] = False

    # the signal is scaled rather than the noise, so that a voxel with
    # almost no signal does not swamp the int16 betas with noise
    signal *= voxel_ncsnr(rng, labels)
    ncsnr = np.where(brain, signal[subjectim].std(0) / spec.noise, 0)
    raw_writer.write_ncsnr(root, subject, ncsnr, affine)

    t = spec.trials_per_session
    for session in range(1, spec.sessions + 1):
        columns = order[(session - 1) * t:session * t]
        drift = rng.normal(0, 2, shape) + 5  # session baseline
        gain = rng.uniform(0.8, 1.2, shape)
        values = (signal[subjectim[columns]] * gain + drift +
                  rng.normal(0, spec.noise, (t, ) + shape))
        values[:, ~brain] = 0
        raw_writer.write_betas(
            root, subject, session,
            [np.round(values * layout.BETAS_SCALE).astype(np.int16)])
    inside = {r: (labels[r] > 0) & brain for r in layout.ROI_GROUPS}
    return dict(
        volume=list(shape),
        voxels={r: int((labels[r] > 0).sum())
                for r in layout.ROI_GROUPS},
        nsdgeneral_voxels=int((nsdgeneral_mask(labels) > 0).sum()),
        dead_voxels=3,
        # what prepare_nsd.py will find, per group: the median ncsnr, the
        # three-trial noise ceiling (%) it gives, and the share of the
        # group's voxels that other groups hold too
        median_ncsnr={r: round(float(np.median(ncsnr[v])), 3)
                      for r, v in inside.items()},
        noise_ceiling={
            r: round(100 * float(np.median(noise_ceiling(ncsnr[v],
                                                         spec.repeats))), 1)
            for r, v in inside.items()},
        overlap={
            r: round(float(np.mean(np.any(
                [inside[o][v] for o in layout.ROI_GROUPS if o != r],
                axis=0))), 3)
            for r, v in inside.items()})
