"""``betas_sessionNN.hdf5``: single-trial GLM betas of one session."""
from typing import Sequence

import h5py
import numpy as np

from .layout import BETAS_SCALE, NSDFormatError, require_file


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
    require_file(path)
    x, y, z = volume_shape
    with h5py.File(path, 'r') as f:
        if 'betas' not in f:
            raise NSDFormatError(path, "dataset 'betas' is missing")
        betas = f['betas']
        if betas.dtype != np.int16:
            raise NSDFormatError(path,
                                 f"'betas' must be int16, got {betas.dtype}")
        if betas.ndim != 4 or tuple(betas.shape[1:]) != (z, y, x):
            raise NSDFormatError(
                path, f"'betas' must be (trials, {z}, {y}, {x}) (the ROI "
                f'volume {tuple(volume_shape)} with axes reversed), got '
                f'{betas.shape}')
        flat = (ijk[:, 2] * y + ijk[:, 1]) * x + ijk[:, 0]
        out = np.empty((betas.shape[0], len(ijk)), dtype=np.float32)
        for start in range(0, betas.shape[0], chunk_trials):
            block = betas[start:start + chunk_trials]
            out[start:start + len(block)] = block.reshape(len(block), -1)[:,
                                                                        flat]
    out /= BETAS_SCALE
    return out
