"""Stage 2 (``subjXX.h5``): the z-scores of the session files averaged
over the repeats of each image, a block of images at a time, reading from
every session only the trials of the block (one slice, as rows are sorted
by nsdId), straight into the cache."""
from typing import Callable, Optional, Sequence

import numpy as np

from ..cache import REBUILD
from ..hdf5 import open_hdf5, read, require_dataset


def average_repeats(trial_ids: np.ndarray, values: np.ndarray,
                    image_ids: np.ndarray) -> tuple:
    """Sum and count the trials of each image.

    Args:
        trial_ids (np.ndarray): (T,) nsdId of each trial, all in
            ``image_ids``.
        values (np.ndarray): (T, V) one value per trial and voxel.
        image_ids (np.ndarray): (N,) sorted nsdIds that index the output.

    Returns:
        tuple: (N, V) float64 sums and (N,) int64 counts.
    """
    order = np.argsort(trial_ids, kind='stable')
    ids, starts, counts = np.unique(
        trial_ids[order], return_index=True, return_counts=True)
    sums = np.zeros((len(image_ids), values.shape[1]), dtype=np.float64)
    rows = np.searchsorted(image_ids, ids)
    sums[rows] = np.add.reduceat(
        values[order].astype(np.float64), starts, axis=0)
    n = np.zeros(len(image_ids), dtype=np.int64)
    n[rows] = counts
    return sums, n


def write_averages(session_files: Sequence[str],
                   outputs: Sequence[tuple],
                   image_ids: np.ndarray,
                   counts: np.ndarray,
                   block_images: int,
                   check: Optional[Callable[[], None]] = None):
    """Stage 2: the mean z-score of each image over its repeats, written a
    block of ``block_images`` images at a time (memory: a few (block, U)
    float64 arrays).

    Args:
        session_files (Sequence[str]): Stage-1 files.
        outputs (Sequence[tuple]): (dataset, columns) pairs: an (N, V_k)
            dataset to fill and the (V_k,) union columns it takes.
        image_ids (np.ndarray): (N,) sorted nsdIds, the output rows.
        counts (np.ndarray): (N,) trials per image over all sessions.
        block_images (int): Images averaged at a time.
        check (callable, optional): Called after each block; it raises to
            stop (:meth:`..cache.CacheWriter.check`, at the first write
            error).
    """
    files = [open_hdf5(p) for p in session_files]
    try:
        trial_ids = [read(f['nsd_ids'], (), REBUILD) for f in files]
        num_voxels = files[0]['zscored'].shape[1]
        for start in range(0, len(image_ids), block_images):
            block = image_ids[start:start + block_images]
            sums = np.zeros((len(block), num_voxels))
            for f, ids in zip(files, trial_ids):
                lo, hi = (np.searchsorted(ids, block[0], 'left'),
                          np.searchsorted(ids, block[-1], 'right'))
                if hi > lo:
                    sums += average_repeats(
                        ids[lo:hi],
                        read(f['zscored'], np.s_[lo:hi], REBUILD), block)[0]
            mean = sums / counts[start:start + len(block), None]
            for data, columns in outputs:
                data[start:start + len(block)] = mean[:, columns]
            if check is not None:
                check()
    finally:
        for f in files:
            f.close()


def read_trial_ids(session_files: Sequence[str]) -> tuple:
    """The sorted nsdIds shown, their trial counts over all sessions, and
    the (U,) voxels bad in any session."""
    ids, bad = [], None
    for path in session_files:
        with open_hdf5(path) as f:
            ids.append(
                read(require_dataset(f, 'nsd_ids', (None, )), (), REBUILD))
            flags = read(
                require_dataset(f, 'bad', (None, ), np.bool_), (), REBUILD)
            bad = flags if bad is None else bad | flags
    image_ids, counts = np.unique(np.concatenate(ids), return_counts=True)
    return image_ids, counts, bad
