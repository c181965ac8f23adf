"""Per-image target vectors, by nsdId: what a feature-regression pretraining
regresses (another network's features of each image, a scene's own
features, ...).

Two formats, row ``i`` the image of nsdId ``i``::

    targets.h5        one dataset per key: (N_images, F_k) floats, e.g.
                      one per ROI (``prf-visualrois``, ``floc-faces``, ...)
    targets.npy       one (N_images, F) array: a single target

:class:`TargetVectors` reads them a row at a time (the file opened on first
use in each process) with errors that name the file;
:func:`write_target_vectors` writes the HDF5 form.
"""
import os.path as osp
from typing import Dict, Optional

import h5py
import numpy as np

from .atomic_hdf5 import AtomicHDF5, create_dataset
from .hdf5 import open_hdf5, read, require_dataset
from .layout import NSDFormatError

NPY_SUFFIX = '.npy'


def write_target_vectors(path: str, vectors: Dict[str, np.ndarray]) -> str:
    """Write ``key -> (N_images, F_k)`` arrays as one HDF5 dataset each,
    stored as given (rows in nsdId order), renamed into place only when
    complete; returns ``path``.

    Raises:
        ValueError: An array that is not 2-D, or arrays of different row
            counts.
        CacheWriteError: The file cannot be written, naming it.
    """
    rows = {len(v) for v in vectors.values()}
    if len(rows) > 1 or any(np.ndim(v) != 2 for v in vectors.values()):
        raise ValueError('target vectors must be (N_images, F) arrays of '
                         'one N_images, got shapes '
                         f'{ {k: np.shape(v) for k, v in vectors.items()} }')
    with AtomicHDF5(path) as f:
        for key, value in vectors.items():
            create_dataset(f, key, np.asarray(value))
    return path


class TargetVectors:
    """Reader of a file of per-image target vectors (see the module).

    Args:
        path (str): An HDF5 file (one dataset per key) or an ``.npy`` file
            (one array, read without keys).

    Raises:
        NSDFormatError: Naming ``path``: missing, unreadable, or an
            ``.npy`` array that is not (N_images, F).
    """

    def __init__(self, path: str):
        self.path = path
        if not osp.isfile(path):
            raise NSDFormatError(path, 'no such file of target vectors')
        self.file: Optional[h5py.File] = None
        self.array: Optional[np.ndarray] = None
        self.datasets: Dict[str, h5py.Dataset] = {}  # checked ones
        if path.endswith(NPY_SUFFIX):
            try:
                self.array = np.load(path, mmap_mode='r')
            except Exception as e:  # numpy raises several types
                raise NSDFormatError(
                    path, f'not a readable .npy file ({e})') from None
            if self.array.ndim != 2:
                raise NSDFormatError(
                    path, 'target vectors must be one (N_images, F) '
                    f'array, got shape {self.array.shape}')
        else:
            self.file = open_hdf5(path)

    @property
    def single(self) -> bool:
        """Whether the file holds one target (``.npy``), read without a
        key."""
        return self.file is None

    @property
    def keys(self) -> Optional[list]:
        """The keys of an HDF5 file, None for an ``.npy`` one."""
        return None if self.file is None else sorted(self.file)

    def _data(self, key: Optional[str]):
        """The (N_images, F) array or dataset of ``key``."""
        if self.file is None:
            if key is not None:
                raise NSDFormatError(
                    self.path, f'an .npy file holds one target, read '
                    f'without a key (asked for {key!r})')
            return self.array
        if key is None:
            raise NSDFormatError(
                self.path, 'an HDF5 file of target vectors is read by key; '
                f'it has {self.keys}')
        if key not in self.datasets:
            if key not in self.file:
                raise NSDFormatError(
                    self.path, f'no target vectors of {key!r}; it has '
                    f'{self.keys}')
            self.datasets[key] = require_dataset(self.file, key,
                                                 (None, None))
        return self.datasets[key]

    def row(self, nsd_id: int, key: Optional[str] = None) -> np.ndarray:
        """(F,) the target of ``key`` for the image of ``nsd_id`` (no key
        for an ``.npy`` file), as stored.

        Raises:
            NSDFormatError: Naming the file: no such key (the keys present
                are listed), a key given to an ``.npy`` file or none to an
                HDF5 one, a dataset that is not 2-D, or ``nsd_id`` outside
                its rows.
        """
        data = self._data(key)
        if not 0 <= nsd_id < len(data):
            raise NSDFormatError(self.path, f'nsdId {nsd_id} outside its '
                                 f'{len(data)} images')
        if self.file is None:
            return np.array(data[nsd_id])  # a copy, off the memory map
        return read(data, nsd_id)

    def close(self):
        if self.file is not None:
            self.file.close()
