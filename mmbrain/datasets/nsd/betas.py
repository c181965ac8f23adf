"""``betas_sessionNN.hdf5``: single-trial GLM betas of one session."""
from typing import Sequence

import numpy as np

from .hdf5 import open_hdf5, read, require_dataset
from .layout import BETAS_SCALE, NSDFormatError


def _betas(f, volume_shape: Sequence[int]):
    """The (T, Z, Y, X) int16 ``betas`` dataset of an open session file."""
    require_dataset(f, 'betas', dtype=np.int16)
    try:
        return require_dataset(f, 'betas', (None, *volume_shape[::-1]))
    except NSDFormatError as e:
        raise NSDFormatError(
            f.filename, f'{e.problem} (the ROI volume {tuple(volume_shape)} '
            'with its axes reversed)') from None


def _flat_index(ijk: np.ndarray, volume_shape: Sequence[int]) -> np.ndarray:
    """(V,) positions of NIfTI voxels (V, 3) in a flattened (Z, Y, X)
    volume."""
    x, y, _ = volume_shape
    return (ijk[:, 2] * y + ijk[:, 1]) * x + ijk[:, 0]


def check_session_betas(path: str,
                        ijk: np.ndarray,
                        volume_shape: Sequence[int],
                        num_trials: int = 5) -> int:
    """The trials of a session file, checked without reading it all: its
    header (as :func:`read_session_betas` reads it), and the betas of the
    voxels ``ijk`` in ``num_trials`` evenly spaced trials, the first and
    the last among them, which must not all be zero (an incomplete download)
    or all one value.

    Args:
        path (str): The session file.
        ijk (np.ndarray): (V, 3) NIfTI voxel indices, the ROIs' voxels.
        volume_shape (Sequence[int]): (X, Y, Z) of the NIfTI volume.
        num_trials (int): Trials read. Defaults to 5.

    Returns:
        int: T, the session's trials.

    Raises:
        NSDFormatError: Naming ``path``.
    """
    with open_hdf5(path) as f:
        betas = _betas(f, volume_shape)
        if not len(betas):
            raise NSDFormatError(path, 'it holds no trials')
        trials = np.unique(
            np.linspace(0, len(betas) - 1, num_trials).round().astype(int))
        flat = _flat_index(ijk, volume_shape)
        # a trial at a time: h5py's list selection took 50 times as long
        values = np.stack([read(betas, t).ravel()[flat] for t in trials])
    if values.min() == values.max():
        value = 'zero' if values.min() == 0 else (
            f'the same value, {values.min() / BETAS_SCALE:g}')
        raise NSDFormatError(
            path, f'every beta of the {len(ijk)} ROI voxels is {value} in '
            f'trials {trials.tolist()} of {len(betas)} (an incomplete or '
            'damaged download?)')
    return len(betas)


def read_session_betas(path: str,
                       ijk: np.ndarray,
                       volume_shape: Sequence[int],
                       chunk_trials: int = 50) -> np.ndarray:
    """Betas of chosen voxels for every trial of a session.

    The ``betas`` dataset is (T, Z, Y, X) int16 holding value x 300: its
    spatial axes are reversed relative to the NIfTI volume (X, Y, Z), so NIfTI
    voxel (i, j, k) is ``betas[:, k, j, i]``. Trials are read ``chunk_trials``
    at a time, so memory stays near ``chunk_trials`` volumes plus the output.

    Args:
        path (str): The session file.
        ijk (np.ndarray): (V, 3) NIfTI voxel indices to read.
        volume_shape (Sequence[int]): (X, Y, Z) of the NIfTI volume.
        chunk_trials (int): Trials per read. Defaults to 50.

    Returns:
        np.ndarray: (T, V) float32 betas in their original units.
    """
    with open_hdf5(path) as f:
        betas = _betas(f, volume_shape)
        flat = _flat_index(ijk, volume_shape)
        out = np.empty((betas.shape[0], len(ijk)), dtype=np.float32)
        for start in range(0, betas.shape[0], chunk_trials):
            block = read(betas, np.s_[start:start + chunk_trials])
            out[start:start + len(block)] = block.reshape(len(block),
                                                          -1)[:, flat]
    out /= BETAS_SCALE
    return out
