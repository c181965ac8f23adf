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


def session_trials(path: str, volume_shape: Sequence[int]) -> int:
    """The trials of a session file, from its header alone (checked as
    :func:`read_session_betas` reads it)."""
    with open_hdf5(path) as f:
        return _betas(f, volume_shape).shape[0]


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
    x, y, _ = volume_shape
    with open_hdf5(path) as f:
        betas = _betas(f, volume_shape)
        flat = (ijk[:, 2] * y + ijk[:, 1]) * x + ijk[:, 0]
        out = np.empty((betas.shape[0], len(ijk)), dtype=np.float32)
        for start in range(0, betas.shape[0], chunk_trials):
            block = read(betas, np.s_[start:start + chunk_trials])
            out[start:start + len(block)] = block.reshape(len(block),
                                                          -1)[:, flat]
    if not out.any():
        raise NSDFormatError(
            path, f'every beta of the {len(ijk)} ROI voxels is zero in all '
            f'{len(out)} trials (an incomplete download?)')
    out /= BETAS_SCALE
    return out
