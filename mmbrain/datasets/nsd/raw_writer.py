"""Writing files in the raw NSD layout of :mod:`.layout`, in NSD's formats.

The only writer of that layout: the demo generator, the preparation
benchmark and the tests make their NSD through it, so that what the readers
are tested on is what they read. All indices are 0-based here and written
1-based where NSD's files are.
"""
import csv
import os
import os.path as osp
from typing import Dict, Iterable, Optional, Sequence

import h5py
import nibabel as nib
import numpy as np
import scipy.io

from . import layout

REPEATS = 3  # the stimulus table has three repeat columns per subject


def _parent(path: str) -> str:
    os.makedirs(osp.dirname(path), exist_ok=True)
    return path


def write_stimuli(root: str, images: np.ndarray) -> str:
    """``nsd_stimuli.hdf5``: ``imgBrick``, (N, H, W, 3) uint8, one chunk per
    image."""
    if images.dtype != np.uint8 or images.ndim != 4 or images.shape[3] != 3:
        raise ValueError('images must be (N, H, W, 3) uint8, got '
                         f'{images.shape} {images.dtype}')
    path = _parent(layout.stimuli_path(root))
    with h5py.File(path, 'w') as f:
        f.create_dataset('imgBrick', data=images,
                         chunks=(1, ) + images.shape[1:])
    return path


def write_expdesign(root: str, masterordering: np.ndarray,
                    subjectim: np.ndarray, sharedix: np.ndarray) -> str:
    """``nsd_expdesign.mat`` (MATLAB v5 doubles, 1-based).

    Args:
        masterordering: (T, ) per trial, the column of ``subjectim`` shown.
        subjectim: (S, N) per subject, the nsdIds of its image columns.
        sharedix: (K, ) the nsdIds every subject saw.
    """
    path = _parent(layout.expdesign_path(root))
    scipy.io.savemat(
        path,
        dict(masterordering=(np.asarray(masterordering) + 1)[None].astype(
            np.float64),
             subjectim=(np.asarray(subjectim) + 1).astype(np.float64),
             sharedix=(np.asarray(sharedix) + 1)[None].astype(np.float64)))
    return path


def repeat_trials(subjectim: np.ndarray, masterordering: np.ndarray,
                  num_images: int) -> np.ndarray:
    """(8, N, 3) the 1-based trial numbers of each of the N images' first
    three showings per subject, 0 where it was not shown."""
    reps = np.zeros((layout.NUM_SUBJECTS, num_images, REPEATS),
                    dtype=np.int64)
    for s, columns in enumerate(subjectim):
        nsd_id = columns[masterordering]
        trials = np.argsort(nsd_id, kind='stable')
        ids = nsd_id[trials]
        rank = np.arange(len(ids)) - np.searchsorted(ids, ids)
        keep = rank < REPEATS
        reps[s, ids[keep], rank[keep]] = trials[keep] + 1
    return reps


def write_stim_info(root: str,
                    coco_id: Sequence[int],
                    coco_split: Sequence[str],
                    shared1000: Sequence[bool],
                    repeats: Optional[np.ndarray] = None) -> str:
    """``nsd_stim_info_merged.csv`` with the real table's columns, one row
    per nsdId.

    Args:
        coco_id, coco_split, shared1000: (N, ) per nsdId.
        repeats: (8, N, 3) from :func:`repeat_trials`, or none (every
            subject column 0).
    """
    n = len(coco_id)
    if repeats is None:
        repeats = np.zeros((layout.NUM_SUBJECTS, n, REPEATS), np.int64)
    subjects = range(1, layout.NUM_SUBJECTS + 1)
    header = ['', 'cocoId', 'cocoSplit', 'cropBox', 'loss', 'nsdId',
              'flagged', 'BOLD5000', 'shared1000']
    header += [f'subject{s}' for s in subjects]
    header += [f'subject{s}_rep{r}' for s in subjects for r in range(REPEATS)]
    path = _parent(layout.stim_info_path(root))
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for i in range(n):
            row = [i, int(coco_id[i]), coco_split[i], '(0, 0, 0, 0)', 0.0, i,
                   False, False, bool(shared1000[i])]
            row += [int(repeats[s, i, 0] > 0) for s in range(len(subjects))]
            row += [int(t) for t in repeats[:, i].reshape(-1)]
            writer.writerow(row)
    return path


def write_rois(root: str, subject: int, labels: Dict[str, np.ndarray],
               affine: np.ndarray) -> Dict[str, str]:
    """One ``roi/<mask>.nii.gz`` per mask: (X, Y, Z) int labels, > 0
    inside it, 0 in the brain, -1 outside; returns the paths by mask."""
    paths = {}
    for roi, volume in labels.items():
        paths[roi] = _parent(layout.roi_path(root, subject, roi))
        nib.save(nib.Nifti1Image(np.asarray(volume), affine), paths[roi])
    return paths


def write_label_table(root: str, subject: int, mask: str,
                      names: Dict[int, str]) -> str:
    """``<mask>.mgz.ctab`` as NSD ships it: a line ``<label> <name>`` per
    label, 0 (``Unknown``) first."""
    path = _parent(layout.label_table_path(root, subject, mask))
    with open(path, 'w', encoding='utf-8') as f:
        for label, name in sorted({0: 'Unknown', **names}.items()):
            f.write(f'{label} {name}\n')
    return path


def write_t1(root: str, subject: int, t1: np.ndarray,
             affine: np.ndarray) -> str:
    """``T1_to_func1pt8mm.nii.gz``: the (X, Y, Z) anatomy in the masks'
    space, float32."""
    path = _parent(layout.t1_path(root, subject))
    nib.save(nib.Nifti1Image(t1.astype(np.float32), affine), path)
    return path


def write_ncsnr(root: str, subject: int, ncsnr: np.ndarray,
                affine: np.ndarray) -> str:
    """``ncsnr.nii.gz`` beside the betas: (X, Y, Z) float32."""
    path = _parent(layout.ncsnr_path(root, subject))
    nib.save(nib.Nifti1Image(ncsnr.astype(np.float32), affine), path)
    return path


def write_betas(root: str, subject: int, session: int,
                blocks: Iterable[np.ndarray]) -> str:
    """``betas_sessionNN.hdf5``: the trials of ``blocks``, each (t, X, Y, Z)
    int16 (the betas x :data:`~.layout.BETAS_SCALE`), stored as NSD stores
    them, (T, Z, Y, X), one chunk per trial."""
    path = _parent(layout.betas_path(root, subject, session))
    with h5py.File(path, 'w') as f:
        betas = None
        for block in blocks:
            if block.dtype != np.int16 or block.ndim != 4:
                raise ValueError('betas blocks must be (t, X, Y, Z) int16, '
                                 f'got {block.shape} {block.dtype}')
            stored = block.transpose(0, 3, 2, 1)
            if betas is None:
                betas = f.create_dataset(
                    'betas', data=stored, maxshape=(None, ) + stored.shape[1:],
                    chunks=(1, ) + stored.shape[1:])
            else:
                betas.resize(len(betas) + len(stored), axis=0)
                betas[-len(stored):] = stored
    return path
