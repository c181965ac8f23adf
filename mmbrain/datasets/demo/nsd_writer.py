"""Writing the demo in the raw NSD layout of :mod:`..nsd.layout`."""
import csv
import os
import os.path as osp
from typing import Dict, List

import h5py
import nibabel as nib
import numpy as np
import scipy.io

from ..nsd import layout
from .responses import subject_volume, voxel_signal
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
    size = spec.image_size
    stim_file = layout.stimuli_path(root)
    os.makedirs(osp.dirname(stim_file), exist_ok=True)
    with h5py.File(stim_file, 'w') as f:
        f.create_dataset('imgBrick', data=images, chunks=(1, size, size, 3))

    # experiment design (1-based on disk): the shared images, then each
    # subject's own
    shared = np.arange(spec.num_shared)
    subjectim = np.stack([
        np.concatenate([
            shared, spec.num_shared + s * spec.num_own +
            np.arange(spec.num_own)
        ]) for s in range(spec.num_subjects)
    ])
    design_dir = osp.dirname(layout.expdesign_path(root))
    os.makedirs(design_dir, exist_ok=True)
    scipy.io.savemat(
        layout.expdesign_path(root),
        dict(
            masterordering=(order + 1)[None].astype(np.float64),
            subjectim=(subjectim + 1).astype(np.float64),
            sharedix=(shared + 1)[None].astype(np.float64)))

    _write_stim_info(layout.stim_info_path(root), spec, coco_ids, coco_split,
                     subjectim, order)
    return {
        subject: _write_subject(root, subject, spec, features,
                                subjectim[subject - 1], order)
        for subject in range(1, spec.num_subjects + 1)
    }


def _write_stim_info(path: str, spec: DemoSpec, coco_ids: np.ndarray,
                     coco_split: List[str], subjectim: np.ndarray,
                     order: np.ndarray):
    """The columns of the real ``nsd_stim_info_merged.csv``."""
    n = spec.num_images
    header = ['', 'cocoId', 'cocoSplit', 'cropBox', 'loss', 'nsdId',
              'flagged', 'BOLD5000', 'shared1000']
    header += [f'subject{s}' for s in range(1, 9)]
    header += [f'subject{s}_rep{r}' for s in range(1, 9) for r in range(3)]
    # 1-based trial numbers of each image's repeats, per subject
    reps = np.zeros((8, n, 3), dtype=np.int64)
    for s in range(spec.num_subjects):
        for trial, column in enumerate(order):
            nsd_id = subjectim[s, column]
            slot = np.argmax(reps[s, nsd_id] == 0)
            reps[s, nsd_id, slot] = trial + 1
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for i in range(n):
            row = [i, int(coco_ids[i]), coco_split[i], '(0, 0, 0, 0)', 0.0, i,
                   False, False, i < spec.num_shared]
            row += [int(reps[s, i, 0] > 0) for s in range(8)]
            row += [int(reps[s, i, r]) for s in range(8) for r in range(3)]
            writer.writerow(row)


def _write_subject(root: str, subject: int, spec: DemoSpec,
                   features: List[Dict], subjectim: np.ndarray,
                   order: np.ndarray) -> Dict:
    """One subject's ROI NIfTIs, ncsnr and per-session betas: the voxel
    signal of :func:`~.responses.voxel_signal` with a per-session drift and
    gain, trial noise, and 3 dead (constant 0) voxels in the ROIs.

    Args:
        subjectim: (C, ) nsd id (0-based) of each of the subject's image
            columns.
        order: (T, ) image column of each trial.
    """
    rng = np.random.default_rng([spec.seed, subject])
    shape, affine, labels = subject_volume(rng, subject)
    brain = labels[layout.ROI_GROUPS[0]] >= 0
    for roi in layout.ROI_GROUPS:
        path = layout.roi_path(root, subject, roi)
        os.makedirs(osp.dirname(path), exist_ok=True)
        nib.save(nib.Nifti1Image(labels[roi], affine), path)
    signal = voxel_signal(rng, labels, affine, features)
    # a few dead voxels inside the ROIs: constant 0, to be dropped
    roi_any = np.argwhere(
        np.any([labels[r] > 0 for r in layout.ROI_GROUPS], axis=0))
    dead = roi_any[rng.choice(len(roi_any), 3, replace=False)]
    brain[dead[:, 0], dead[:, 1], dead[:, 2]] = False

    noise_sd = spec.noise * rng.uniform(0.7, 1.3, shape)
    ncsnr = np.where(brain, signal[subjectim].std(0) / noise_sd, 0)
    os.makedirs(layout.betas_dir(root, subject), exist_ok=True)
    nib.save(
        nib.Nifti1Image(ncsnr.astype(np.float32), affine),
        layout.ncsnr_path(root, subject))

    t = spec.trials_per_session
    for session in range(1, spec.sessions + 1):
        columns = order[(session - 1) * t:session * t]
        drift = rng.normal(0, 2, shape) + 5  # session baseline
        gain = rng.uniform(0.8, 1.2, shape)
        values = (signal[subjectim[columns]] * gain + drift +
                  rng.normal(0, 1, (t, ) + shape) * noise_sd)
        values[:, ~brain] = 0
        betas = np.round(values * layout.BETAS_SCALE).astype(np.int16)
        with h5py.File(layout.betas_path(root, subject, session), 'w') as f:
            # hdf5 holds the volume with its axes reversed: (T, Z, Y, X)
            f.create_dataset('betas', data=betas.transpose(0, 3, 2, 1))
    return dict(
        volume=list(shape),
        voxels={r: int((labels[r] > 0).sum())
                for r in layout.ROI_GROUPS},
        dead_voxels=3)
