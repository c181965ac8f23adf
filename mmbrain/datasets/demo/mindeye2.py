"""A raw NSD (the demo's, or any in the NSD layout) written again in the
format of MindEye2's preprocessed release (:mod:`..nsd.mindeye2`), by the
recipe of the code that wrote the release: the nsdgeneral voxels of each
session's betas in C order over (X, Y, Z), every session in time order,
z-scored once per voxel over the non-shared1000 trials pooled (ddof 1)."""
import io
import os
import os.path as osp
import tarfile
from typing import Dict

import h5py
import mmcv
import numpy as np

from ..nsd import layout
from ..nsd.atomic_hdf5 import AtomicHDF5, create_dataset
from ..nsd.expdesign import load_expdesign
from ..nsd.mindeye2 import (BEHAV_IMAGE, BEHAV_ROW, BETAS_FILE, IMAGE_SIZE,
                            IMAGES_FILE)
from ..nsd.rois import load_roi_voxels
from ..nsd.stim_info import load_stim_info
from ..nsd.stimuli import NSDStimuli

BEHAV_SESSION, BEHAV_SHARED = 2, 16  # more columns of behav.npy


def release_betas(root: str, subject: int, order: str = 'xyz') -> Dict:
    """The subject's betas as MindEye2's release holds them.

    Args:
        root (str): A raw NSD.
        subject (int): 1..8.
        order (str): ``'xyz'``, the release's column order; ``'zyx'``, C
            order over the hdf5 betas' (Z, Y, X), the mistake a reader must
            catch.

    Returns:
        dict: ``betas`` (trials, V) float32, and per row its ``nsd_ids``,
        ``sessions`` (1-based) and ``shared`` flags.
    """
    mask = load_roi_voxels(layout.require_mask(root, subject, 'nsdgeneral'))
    mask_xyz = np.zeros(mask.volume_shape, dtype=bool)
    mask_xyz[tuple(mask.ijk.T)] = True
    sessions, _ = layout.find_sessions(root, subject, allow_partial=True)
    rows, session_of = [], []
    for session in sessions:
        with h5py.File(layout.betas_path(root, subject, session), 'r') as f:
            stored = f['betas'][()]  # (T, Z, Y, X) int16, value x 300
        if order == 'xyz':
            betas = stored.transpose(0, 3, 2, 1)[:, mask_xyz]
        else:
            betas = stored[:, mask_xyz.transpose(2, 1, 0)]
        rows.append(betas / layout.BETAS_SCALE)
        session_of += [session] * len(betas)
    betas = np.concatenate(rows)
    nsd_ids = load_expdesign(
        layout.expdesign_path(root)).trial_nsd_ids(subject)[:len(betas)]
    stim = load_stim_info(layout.stim_info_path(root))
    shared = stim.shared1000[np.searchsorted(stim.nsd_id, nsd_ids)]
    mean = betas[~shared].mean(0)
    std = betas[~shared].std(0, ddof=1)
    with np.errstate(divide='ignore', invalid='ignore'):
        betas = ((betas - mean) / std).astype(np.float32)
    return dict(betas=betas, nsd_ids=nsd_ids, sessions=np.array(session_of),
                shared=shared)


def write_release_betas(root: str, out_dir: str, subject: int,
                        order: str = 'xyz') -> str:
    """``betas_all_subjXX_fp32_renorm.hdf5`` of a subject
    (:func:`release_betas`); its path."""
    path = osp.join(out_dir, BETAS_FILE.format(subject))
    os.makedirs(out_dir, exist_ok=True)
    with AtomicHDF5(path) as f:
        create_dataset(f, 'betas', release_betas(root, subject,
                                                 order)['betas'])
    return path


def write_release_images(root: str, out_dir: str) -> str:
    """``coco_images_224_float16.hdf5``: the image brick resized to 224 px
    (bilinear), (N, 3, 224, 224) float16 in [0, 1]; its path."""
    brick = NSDStimuli(layout.stimuli_path(root))
    images = np.stack([
        mmcv.imresize(brick[k], (IMAGE_SIZE, IMAGE_SIZE)).transpose(2, 0, 1)
        for k in range(len(brick))
    ]).astype(np.float16) / np.float16(255)
    path = osp.join(out_dir, IMAGES_FILE)
    with AtomicHDF5(path) as f:
        create_dataset(f, 'images', images)
    return path


def write_release_webdataset(root: str, out_dir: str, subject: int) -> str:
    """``wds/subjXX/{train,test}/0.tar``: a ``behav.npy`` per trial, the
    shared1000 trials in ``test`` (columns 0, 2, 5 and 16 filled, -1
    elsewhere); the subject's folder."""
    betas = release_betas(root, subject)
    folder = osp.join(out_dir, 'wds', f'subj{subject:02d}')
    for split, rows in (('train', np.flatnonzero(~betas['shared'])),
                        ('test', np.flatnonzero(betas['shared']))):
        os.makedirs(osp.join(folder, split), exist_ok=True)
        with tarfile.open(osp.join(folder, split, '0.tar'), 'w') as tar:
            for row in rows:
                behav = np.full((1, 17), -1.)
                behav[0, [BEHAV_IMAGE, BEHAV_SESSION, BEHAV_ROW,
                          BEHAV_SHARED]] = (betas['nsd_ids'][row],
                                            betas['sessions'][row], row,
                                            betas['shared'][row])
                buffer = io.BytesIO()
                np.save(buffer, behav)
                member = tarfile.TarInfo(f'sample{row:09d}.behav.npy')
                member.size = buffer.tell()
                buffer.seek(0)
                tar.addfile(member, buffer)
    return folder
