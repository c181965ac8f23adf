"""Open HDF5 files and their datasets with errors that name the file."""
from typing import Dict, Optional, Sequence

import h5py
import numpy as np

from .layout import NSDFormatError, require_file


def open_hdf5(path: str) -> h5py.File:
    """Open an existing HDF5 file read-only.

    Raises:
        NSDFormatError: The file is missing, truncated, not HDF5, or its
            root group's header fails its checksum.
    """
    require_file(path)
    f = None
    try:
        f = h5py.File(path, 'r')
        f['/']  # h5py opens the root group's header only when asked
        return f
    except (OSError, KeyError) as e:  # h5py's words for truncation, a bad
        if f is not None:  # signature and a failed checksum
            f.close()
        raise NSDFormatError(
            path, f'not a readable HDF5 file, truncated, damaged or of '
            f'another format ({e}); download or prepare it again') from None


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


def list_datasets(f: h5py.File, remedy: str) -> Dict[str, h5py.Dataset]:
    """Every dataset of ``f``, by its path in the file.

    Raises:
        NSDFormatError: An object's header cannot be read (its metadata
            checksum failed), naming the file and ending with ``remedy``.
    """
    found = {}
    try:
        f.visititems(lambda name, item: found.__setitem__(name, item)
                     if isinstance(item, h5py.Dataset) else None)
    except (KeyError, OSError, RuntimeError) as e:  # h5py's words for it
        raise NSDFormatError(
            f.filename, f'its metadata is damaged ({e}); {remedy}') from None
    return found


def read(data: h5py.Dataset,
         selection=(),
         remedy: Optional[str] = None) -> np.ndarray:
    """``data[selection]``, naming the file and the dataset when its bytes
    cannot be read: a file cut short after its header, or a chunk whose
    checksum (fletcher32) fails. ``remedy`` ends the message."""
    try:
        return data[selection]
    except OSError as e:
        raise NSDFormatError(
            data.file.filename, f'dataset {data.name.lstrip("/")!r} is '
            f'damaged ({e})' + (f'; {remedy}' if remedy else '')) from None
