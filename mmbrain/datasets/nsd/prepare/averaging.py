"""Stage 2 (``subjXX.h5``): the z-scores of the session files averaged
over the repeats of each image, a block of images at a time, reading from
every session only the trials of the block (one slice, as rows are sorted
by nsdId), straight into the cache; and for the test images shown 2 or more
times, the averages of their odd- and even-numbered trials (the split
halves of the noise ceiling), in the same pass.

The order shown: sessions in turn, and within a session the trials of an
image in the order of the session (its rows are sorted by nsdId with a
stable sort)."""
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


def split_half_sums(trial_ids: np.ndarray, values: np.ndarray,
                    image_ids: np.ndarray, earlier: np.ndarray) -> tuple:
    """Sum the odd- and the even-numbered trials of each image apart.

    Args:
        trial_ids (np.ndarray): (T,) nsdId of each trial, all in
            ``image_ids``, in the order shown (for an image).
        values (np.ndarray): (T, V) one value per trial and voxel.
        image_ids (np.ndarray): (N,) sorted nsdIds that index the output.
        earlier (np.ndarray): (N,) trials of each image shown before these
            (in earlier sessions), which number these trials on.

    Returns:
        tuple: (2, N, V) float64 sums and (2, N) int64 counts: ``[0]`` of
        each image's 1st, 3rd, ... trials, ``[1]`` of its 2nd, 4th, ...
    """
    order = np.argsort(trial_ids, kind='stable')
    ranked = trial_ids[order]
    number = np.empty(len(trial_ids), np.int64)  # 0-based, per image
    number[order] = np.arange(len(ranked)) - np.searchsorted(ranked, ranked)
    number += earlier[np.searchsorted(image_ids, trial_ids)]
    sums = np.zeros((2, len(image_ids), values.shape[1]))
    counts = np.zeros((2, len(image_ids)), np.int64)
    for half in (0, 1):
        mine = number % 2 == half
        if mine.any():
            sums[half], counts[half] = average_repeats(
                trial_ids[mine], values[mine], image_ids)
    return sums, counts


def write_averages(session_files: Sequence[str],
                   outputs: Sequence[tuple],
                   image_ids: np.ndarray,
                   counts: np.ndarray,
                   block_images: int,
                   check: Optional[Callable[[], None]] = None,
                   halves: Optional[tuple] = None):
    """Stage 2: the mean z-score of each image over its repeats, written a
    block of ``block_images`` images at a time (memory: a few (block, U)
    float64 arrays, three times that in a block of test images).

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
        halves (tuple, optional): ``(rows, datasets)``: (N_h,) increasing
            output rows of images shown 2 or more times, and one (N_h, 2,
            V_k) dataset per output, in its order, to fill with the mean of
            each image's odd- and even-numbered trials
            (:func:`split_half_sums`).
    """
    half_rows, half_data = halves if halves is not None else (
        np.zeros(0, np.int64), [])
    if len(half_rows) and counts[half_rows].min() < 2:
        raise ValueError('split halves need 2 or more trials per image')
    files = [open_hdf5(p) for p in session_files]
    try:
        trial_ids = [read(f['nsd_ids'], (), REBUILD) for f in files]
        num_voxels = files[0]['zscored'].shape[1]
        for start in range(0, len(image_ids), block_images):
            block = image_ids[start:start + block_images]
            # the block's images with halves: positions lo_h:hi_h of rows
            lo_h, hi_h = np.searchsorted(half_rows,
                                         [start, start + len(block)])
            split = image_ids[half_rows[lo_h:hi_h]]
            sums = np.zeros((len(block), num_voxels))
            half_sums = np.zeros((2, len(split), num_voxels))
            half_counts = np.zeros((2, len(split)), np.int64)
            for f, ids in zip(files, trial_ids):
                lo, hi = (np.searchsorted(ids, block[0], 'left'),
                          np.searchsorted(ids, block[-1], 'right'))
                if hi > lo:
                    values = read(f['zscored'], np.s_[lo:hi], REBUILD)
                    sums += average_repeats(ids[lo:hi], values, block)[0]
                    mine = np.isin(ids[lo:hi], split)
                    if len(split) and mine.any():
                        s, n = split_half_sums(ids[lo:hi][mine],
                                               values[mine], split,
                                               half_counts.sum(0))
                        half_sums += s
                        half_counts += n
            mean = sums / counts[start:start + len(block), None]
            for data, columns in outputs:
                data[start:start + len(block)] = mean[:, columns]
            if len(split):
                # [N_h', 2, U]
                half_mean = (half_sums / half_counts[..., None]).swapaxes(0, 1)
                for data, (_, columns) in zip(half_data, outputs):
                    data[lo_h:hi_h] = half_mean[..., columns]
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
