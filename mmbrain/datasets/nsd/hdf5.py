"""Open HDF5 files and their datasets with errors that name the file."""
from typing import Optional, Sequence

import h5py
import numpy as np

from .layout import NSDFormatError, require_file


def open_hdf5(path: str) -> h5py.File:
    """Open an existing HDF5 file read-only.

    Raises:
        NSDFormatError: The file is missing, truncated or not HDF5.
    """
    require_file(path)
    try:
        return h5py.File(path, 'r')
    except OSError as e:  # h5py reports truncation and bad signatures so
        raise NSDFormatError(
            path, f'not a readable HDF5 file, truncated or of another '
            f'format ({e}); download or prepare it again') from None


def require_dataset(f: h5py.File,
                    name: str,
                    shape: Optional[Sequence[Optional[int]]] = None,
                    dtype=None) -> h5py.Dataset:
    """The dataset ``name`` of ``f``, checked against a shape and a dtype.

    Args:
        f (h5py.File): An open file.
        name (str): Path of the dataset in the file.
        shape (Sequence[int | None], optional): Expected shape; None entries
            match any length.
        dtype (optional): Expected dtype, or a numpy abstract type such as
            ``np.integer``.

    Raises:
        NSDFormatError: The dataset is missing or of another shape or dtype.
    """
    if name not in f or not isinstance(f[name], h5py.Dataset):
        raise NSDFormatError(f.filename, f'dataset {name!r} is missing')
    data = f[name]
    if shape is not None and (data.ndim != len(shape) or any(
            s is not None and s != n for s, n in zip(shape, data.shape))):
        want = ', '.join('any' if s is None else str(s) for s in shape)
        raise NSDFormatError(
            f.filename, f'dataset {name!r} must have shape ({want}), got '
            f'{data.shape}')
    if dtype is not None and not np.issubdtype(data.dtype, dtype):
        want = getattr(dtype, '__name__', None) or np.dtype(dtype).name
        raise NSDFormatError(
            f.filename, f'dataset {name!r} must be of dtype {want}, got '
            f'{data.dtype}')
    return data


def read(data: h5py.Dataset, selection=()) -> np.ndarray:
    """``data[selection]``, naming the file when its bytes cannot be read
    (a file cut short after its header)."""
    try:
        return data[selection]
    except OSError as e:
        raise NSDFormatError(
            data.file.filename, f'cannot read dataset {data.name!r}, the '
            f'file is truncated or damaged ({e})') from None
