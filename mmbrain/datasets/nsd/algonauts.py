"""The Algonauts 2023 layout: a preprocessed, surface-space subset of NSD.

Per subject (``subjXX/``)::

    training_split/training_images/train-0001_nsd-00013.png   (1-based train
                                                                index, 0-based
                                                                nsdId)
    training_split/training_fmri/{lh,rh}_training_fmri.npy    (images x
                                                                vertices)
    test_split/test_images/test-0001_nsd-00845.png            (no fMRI)
    roi_masks/{lh,rh}.<class>_challenge_space.npy             (vertices,)

The ROI class :data:`ALL_VERTICES` is every vertex of the challenge space,
as a submission (:func:`write_submission`) must predict.

The responses are already averaged over repeats. Algonauts ships no vertex
positions: the 3D coordinates come from files the user gives, one (V, 3)
``.npy`` per hemisphere in the challenge space's vertex order (for example
the fsaverage surface coordinates of the challenge vertices).
:func:`convert_algonauts_subject` writes the cache of :mod:`.cache`, as
:func:`.prepare.prepare_subject` does, so :class:`NSDBrainDataset` reads both.
"""
import os
import os.path as osp
import re
from typing import Dict, Optional, Sequence

import numpy as np

from mmbrain.utils.atomic_files import atomic_file
from .atomic_hdf5 import remove_temps
from .cache import CacheWriter, cache_path
from .layout import ROI_GROUPS, NSDFormatError, check_subject, require_file
from .stim_info import load_stim_info
from .subject_lock import SubjectLock

HEMISPHERES = ('lh', 'rh')
ALL_VERTICES = 'all-vertices'
IMAGE_NAMES = dict(
    training=re.compile(r'train-(\d+)_nsd-(\d+)\.png'),
    test=re.compile(r'test-(\d+)_nsd-(\d+)\.png'))


def _load_npy(path: str, ndim: int) -> np.ndarray:
    require_file(path)
    try:
        array = np.load(path)
    except Exception as e:  # numpy raises several types for a bad file
        raise NSDFormatError(path, f'not a readable .npy file ({e})') from e
    if array.ndim != ndim:
        raise NSDFormatError(
            path, f'expected {ndim} dimensions, got shape {array.shape}')
    return array


def image_files(subject_dir: str, split: str = 'training') -> tuple:
    """Sorted image paths of a split (``'training'`` or ``'test'``; the
    challenge's order) and their 0-based nsdIds."""
    folder = osp.join(subject_dir, f'{split}_split', f'{split}_images')
    if not osp.isdir(folder):
        raise NSDFormatError(folder, 'folder not found')
    pattern = IMAGE_NAMES[split]
    names = sorted(n for n in os.listdir(folder) if pattern.fullmatch(n))
    if not names:
        prefix = 'train' if split == 'training' else split
        raise NSDFormatError(folder,
                             f'no {prefix}-NNNN_nsd-NNNNN.png images')
    nsd_ids = np.array([int(pattern.fullmatch(n).group(2)) for n in names])
    return [osp.join(folder, n) for n in names], nsd_ids


def write_submission(out_dir: str, subject: int,
                     predictions: Sequence[np.ndarray],
                     vertices: Sequence[np.ndarray],
                     hemisphere_vertices: Dict[str, int]) -> Dict[str, str]:
    """The challenge's files of one subject: ``<out_dir>/subjXX/
    {lh,rh}_pred_test.npy``, float32 (test images, vertices).

    Args:
        predictions (Sequence[np.ndarray]): Per ROI, (N, V_k) predictions of
            the N test images, in :func:`image_files` ``'test'`` order.
        vertices (Sequence[np.ndarray]): Per ROI, (V_k,) challenge-space
            vertex of each column (lh first, then rh).
        hemisphere_vertices (dict): ``{'lh': n, 'rh': m}``.

    Raises:
        ValueError: The ROIs leave some vertex without a prediction.
    """
    total = sum(hemisphere_vertices[h] for h in HEMISPHERES)
    full = np.full((len(predictions[0]), total), np.nan, np.float32)
    for pred, vertex in zip(predictions, vertices):
        full[:, vertex] = pred
    missing = int(np.isnan(full[0]).sum()) if len(full) else 0
    if missing:
        raise ValueError(
            f'the ROIs predict {total - missing} of the {total} challenge '
            f'vertices of subject {subject}; a submission needs them all: '
            f'convert with --rois {ALL_VERTICES}')
    folder = osp.join(out_dir, f'subj{subject:02d}')
    os.makedirs(folder, exist_ok=True)
    files, start = {}, 0
    for hemi in HEMISPHERES:
        stop = start + hemisphere_vertices[hemi]
        files[hemi] = osp.join(folder, f'{hemi}_pred_test.npy')
        with atomic_file(files[hemi], 'wb') as f:
            np.save(f, full[:, start:stop])
        start = stop
    return files


def convert_algonauts_subject(subject_dir: str,
                              subject: int,
                              out_dir: str,
                              vertex_coords: Dict[str, str],
                              rois: Sequence[str] = ROI_GROUPS,
                              stim_info: Optional[str] = None) -> Dict:
    """Write ``subjXX.h5`` from one Algonauts subject folder.

    Args:
        subject_dir (str): The ``subjXX`` folder.
        subject (int): NSD subject number (1..8).
        out_dir (str): Where the cache goes.
        vertex_coords (dict): ``{'lh': path, 'rh': path}`` of (V, 3) arrays.
        rois (Sequence[str]): ROI classes to keep (:data:`ALL_VERTICES`:
            every vertex).
        stim_info (str, optional): ``nsd_stim_info_merged.csv``, to mark the
            shared1000 images as the test split; without it there is no test
            split.

    Returns:
        dict: A report with the images and the vertices per ROI.
    """
    check_subject(subject)
    files, nsd_ids = image_files(subject_dir)
    fmri_dir = osp.join(subject_dir, 'training_split', 'training_fmri')
    # responses, coords, index, label
    per_roi = {roi: ([], [], [], []) for roi in rois}
    offset, counts = 0, {}
    for hemi in HEMISPHERES:
        fmri_file = osp.join(fmri_dir, f'{hemi}_training_fmri.npy')
        fmri = _load_npy(fmri_file, 2).astype(np.float32)
        if len(fmri) != len(files):
            raise NSDFormatError(
                fmri_file, f'{len(fmri)} rows for {len(files)} training '
                'images')
        coords = _load_npy(vertex_coords[hemi], 2).astype(np.float32)
        if coords.shape != (fmri.shape[1], 3):
            raise NSDFormatError(
                vertex_coords[hemi], f'expected ({fmri.shape[1]}, 3) vertex '
                f'coordinates for {fmri_file}, got {coords.shape}')
        for roi in rois:
            if roi == ALL_VERTICES:
                mask = np.ones(fmri.shape[1], np.int64)
            else:
                mask_file = osp.join(subject_dir, 'roi_masks',
                                     f'{hemi}.{roi}_challenge_space.npy')
                mask = _load_npy(mask_file, 1)
                if len(mask) != fmri.shape[1]:
                    raise NSDFormatError(
                        mask_file, f'{len(mask)} vertices, the fmri has '
                        f'{fmri.shape[1]}')
            keep = np.flatnonzero(mask > 0)
            per_roi[roi][0].append(fmri[:, keep])
            per_roi[roi][1].append(coords[keep])
            per_roi[roi][2].append(keep + offset)
            per_roi[roi][3].append(mask[keep].astype(np.int64))
        offset += fmri.shape[1]
        counts[hemi] = int(fmri.shape[1])

    if stim_info is not None:
        stim = load_stim_info(stim_info)
        shared = np.isin(nsd_ids, stim.nsd_id[stim.shared1000])
    else:
        shared = np.zeros(len(nsd_ids), dtype=bool)
    order = np.argsort(nsd_ids)
    report = dict(subject=subject, images=len(files), rois={})
    path = cache_path(out_dir, subject)
    with SubjectLock(out_dir, subject):
        remove_temps(path)
        with CacheWriter(
                path,
                nsd_ids[order],
                shared[order],
                image_files=[osp.abspath(files[i]) for i in order]) as out:
            for roi, (responses, coords, index, labels) in per_roi.items():
                responses = np.concatenate(responses, axis=1)[order]
                finite = np.isfinite(responses).all(0)
                if not finite.any():
                    raise NSDFormatError(subject_dir,
                                         f'no vertex of {roi} is finite')
                stored = out.add_roi(
                    roi,
                    coords=np.concatenate(coords)[finite],
                    vertex=np.concatenate(index)[finite],
                    labels=np.concatenate(labels)[finite])
                stored[...] = responses[:, finite]
                report['rois'][roi] = dict(
                    voxels=int(len(finite)),
                    dropped=int((~finite).sum()),
                    kept=int(finite.sum()))
            out.finish(subject, rois, subject_dir, report,
                       hemispheres=counts)
    return report
