"""Stage 1, per session (``subjXX_trials/sessionNN.h5``): the betas of
every voxel in any of the ROIs, read a few trials at a time (or the
session's rows of MindEye2's betas file), z-scored per
voxel over the session's trials and written sorted by nsdId, with the
fingerprint of the raw file (:func:`.inputs.fingerprint`) and fletcher32
checksums. A kept session file is reused only if it matches the raw file
and the voxels; each is written under a temporary name and renamed
(:mod:`..atomic_hdf5`), so a killed run redoes at most one, and a full disk
leaves no partial file."""
import json
import os
import os.path as osp
from typing import Dict, Tuple

import numpy as np
from mmengine.utils import ProgressBar

from .. import layout
from ..atomic_hdf5 import AtomicHDF5, create_dataset
from ..betas import read_session_betas
from ..cache import REBUILD
from ..hdf5 import open_hdf5, read
from ..mindeye2 import read_release_session
from .inputs import SubjectInputs, SubjectVoxels

SESSION_VERSION = 3  # of the stage-1 files


def zscore_session(betas: np.ndarray) -> tuple:
    """Z-score each voxel over the trials of one session (ddof 0).

    Args:
        betas (np.ndarray): (T, V) betas of one session.

    Returns:
        tuple: (T, V) float32 z-scores (0 for bad voxels) and (V,) bool
        marking voxels that are NaN/inf or constant in this session.
    """
    finite = np.isfinite(betas).all(axis=0)
    safe = np.where(finite, betas, 0).astype(np.float64)
    mean = safe.mean(axis=0)
    std = safe.std(axis=0)
    bad = ~finite | (std <= 1e-8 * np.maximum(np.abs(mean), 1))
    z = (safe - mean) / np.where(bad, 1, std)
    z[:, bad] = 0
    return z.astype(np.float32), bad


def session_is_current(path: str, source: list, union: np.ndarray) -> bool:
    """Whether a kept session file was made from a raw file of fingerprint
    ``source`` (the raw file as it is now), for these voxels."""
    with open_hdf5(path) as f:
        return (f.attrs.get('version') == SESSION_VERSION
                and json.loads(f.attrs['source']) == source
                and np.array_equal(read(f['union_ijk'], (), REBUILD), union))


def session_betas(root: str, subject: int, inputs: SubjectInputs,
                  session: int, chunk_trials: int) -> np.ndarray:
    """(T, U) float32 betas of the union voxels in one session: from its
    session file (``chunk_trials`` trials per read), or the session's rows
    of MindEye2's betas file."""
    if inputs.release is not None:
        return read_release_session(inputs.release, session,
                                    inputs.trials_per_session,
                                    inputs.release_columns)
    voxels = inputs.voxels
    return read_session_betas(layout.betas_path(root, subject, session),
                              voxels.union, voxels.volume_shape,
                              chunk_trials)


def write_session(betas: np.ndarray, source: list, path: str,
                  voxels: SubjectVoxels, trial_ids: np.ndarray):
    """Stage 1 for one session: z-scored betas of the union voxels, rows
    sorted by nsdId (``trial`` gives each row's trial in the session).

    Args:
        betas (np.ndarray): (T, U) the session's betas (z-scored in place).
        source (list): The :func:`.inputs.fingerprint` of their file,
            stored.
        path (str): The session file to write.
        voxels (SubjectVoxels): The voxels read.
        trial_ids (np.ndarray): (T,) nsdIds of the session's trials.
    """
    bad = np.empty(betas.shape[1], dtype=bool)
    for lo in range(0, betas.shape[1], 4096):  # in place, 4096 voxels at once
        betas[:, lo:lo + 4096], bad[lo:lo + 4096] = zscore_session(
            betas[:, lo:lo + 4096])
    # rows sorted by image: the trials of a block of images are one slice
    order = np.argsort(trial_ids, kind='stable')
    with AtomicHDF5(path) as f:
        create_dataset(
            f, 'zscored', betas[order], chunks=(1, betas.shape[1]))
        for name, data in (('nsd_ids', trial_ids[order]), ('trial', order),
                           ('bad', bad), ('union_ijk', voxels.union)):
            create_dataset(f, name, data)
        f.attrs.update(source=json.dumps(source), version=SESSION_VERSION)


def session_file(trials_dir: str, session: int) -> str:
    return osp.join(trials_dir, f'session{session:02d}.h5')


def prepare_sessions(root: str, subject: int, inputs: SubjectInputs,
                     sources: Dict[str, list], trials_dir: str,
                     chunk_trials: int, force: bool,
                     progress: bool) -> Tuple[list, int]:
    """Stage 1 for every session; returns the session files and how many
    were reused. ``sources``: the raw files' fingerprints
    (:func:`.inputs.source_files`)."""
    os.makedirs(trials_dir, exist_ok=True)
    files, reused = [], 0
    per_session = inputs.trials_per_session
    bar = ProgressBar(len(inputs.sessions)) if progress else None
    try:
        for session in inputs.sessions:
            raw = inputs.release or layout.betas_path(root, subject, session)
            source = sources[osp.relpath(raw, root)]
            path = session_file(trials_dir, session)
            if (not force and osp.exists(path) and session_is_current(
                    path, source, inputs.voxels.union)):
                reused += 1
            else:
                write_session(
                    session_betas(root, subject, inputs, session,
                                  chunk_trials), source, path, inputs.voxels,
                    inputs.trial_ids[(session - 1) *
                                     per_session:session * per_session])
            files.append(path)
            if bar:
                bar.update()
    finally:
        if bar:  # end the bar's line, also when a session fails
            print(flush=True)
    return files, reused
