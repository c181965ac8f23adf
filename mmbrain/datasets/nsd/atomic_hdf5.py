"""New HDF5 files that appear only when complete, and write errors that
name the file.

* :class:`AtomicHDF5` writes a new HDF5 file under a temporary name unique
  to the host and process (:func:`temp_path`), created exclusively, and
  renames it into place only when complete, so two writers would never
  share a file (:mod:`.subject_lock` keeps them apart in the first
  place).
* :class:`GuardedFile` keeps write errors (a full disk, a quota, a lost
  mount) away from HDF5, which crashes the process when it cleans up after
  one; :class:`AtomicHDF5` raises them as :class:`CacheWriteError`, naming
  the file, after removing it.
* Checksums: :class:`AtomicHDF5` writes the file format of HDF5 1.10
  (:data:`LIBVER`), whose superblock, object headers and chunk indices carry
  checksums, and :func:`create_dataset` adds a fletcher32 checksum to each
  chunk of a dataset. HDF5 verifies both on every read.
"""
import glob
import os
import os.path as osp
import shutil
import socket
import warnings
from typing import Optional

import h5py

from mmbrain.utils.user_errors import UserError

# the earliest HDF5 file format written: 1.10's checksums its metadata
LIBVER = ('v110', 'latest')


class CacheWriteError(UserError, OSError):
    """A file of the cache could not be written (no space, no permission,
    an I/O error)."""

    def __init__(self, path: str, problem: str):
        super().__init__(f'{path}: {problem}')
        self.path, self.problem = path, problem


def describe_error(error: BaseException) -> str:
    """'No space left on device' for an OSError with an errno, else the
    error's first line."""
    if isinstance(error, OSError) and error.errno:
        return os.strerror(error.errno)
    return f'{type(error).__name__}: {str(error).splitlines()[0]}'


def temp_path(path: str) -> str:
    """``path`` as this process's temporary file:
    ``<path>.<host>-<pid>.tmp``."""
    return f'{path}.{socket.gethostname()}-{os.getpid()}.tmp'


def remove_temps(path: str) -> list:
    """Remove the temporary files of ``path`` that any process left (call
    only while holding the subject's lock); returns their names."""
    found = glob.glob(glob.escape(path) + '.*.tmp')
    for name in found:
        os.remove(name)
    return found


def create_dataset(group: h5py.Group, name: str, data=None,
                   **kwargs) -> h5py.Dataset:
    """``group.create_dataset`` with a fletcher32 checksum on each chunk
    (chunked as h5py guesses, unless ``chunks`` says)."""
    return group.create_dataset(name, data=data, fletcher32=True, **kwargs)


def check_free_space(folder: str, needed: int, what: str):
    """Warn when the file system of ``folder`` has less than ``needed``
    bytes free."""
    free = shutil.disk_usage(folder).free
    if free < needed:
        warnings.warn(
            f'{folder}: {free / 2**20:.1f} MiB free, but {what} needs about '
            f'{needed / 2**20:.1f} MiB; it will stop when the disk is full '
            '(free some space and rerun: finished sessions are kept)')


class GuardedFile:
    """The binary file object through which h5py writes a new file (its
    ``fileobj`` driver). It keeps the first error of the operating system
    instead of passing it to HDF5, whose clean-up after a failed write
    crashes the process (seen with HDF5 1.14 and 2.0 on a full disk), and
    ignores every write after it; :attr:`error` tells. Closing it syncs the
    file to disk.

    Args:
        path (str): The file to create; it must not exist.
    """

    def __init__(self, path: str):
        self.file = open(path, 'x+b', buffering=0)
        self.error: Optional[OSError] = None

    def _guarded(self, call, *args):
        if self.error is None:
            try:
                return call(*args)
            except OSError as e:
                self.error = e
        return None

    def write(self, data) -> int:
        view = memoryview(data).cast('B')

        def write_all():  # a filling disk may take part of a block first
            done = 0
            while done < len(view):
                done += self.file.write(view[done:])

        self._guarded(write_all)
        return len(view)

    def truncate(self, size: Optional[int] = None):
        self._guarded(self.file.truncate, size)

    def flush(self):
        """Writes are unbuffered: nothing to flush."""

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.file.seek(offset, whence)

    def tell(self) -> int:
        return self.file.tell()

    def read(self, size: int = -1) -> bytes:
        return self.file.read(size)

    def readinto(self, buffer) -> int:
        return self.file.readinto(buffer)

    def close(self):
        if not self.file.closed:
            self._guarded(os.fsync, self.file.fileno())
            self.file.close()


class AtomicHDF5:
    """A new HDF5 file, written under :func:`temp_path` and renamed to its
    path only when complete: by :meth:`commit`, or on leaving a ``with``
    block without error (which gives the open file).

    A write error is raised as :class:`CacheWriteError` by :meth:`check`,
    which long writers call between blocks, and by :meth:`commit`. Whatever
    fails, the temporary file is removed.

    Args:
        path (str): The file to write.

    Attributes:
        file (h5py.File): The open file to fill.

    Raises:
        CacheWriteError: The temporary file cannot be created.
    """

    def __init__(self, path: str):
        self.path, self.temp = path, temp_path(path)
        try:
            self.guard = GuardedFile(self.temp)
        except OSError as e:
            raise CacheWriteError(path, 'cannot be created: '
                                  f'{describe_error(e)}') from None
        # no raw-data chunk cache: each chunk reaches the disk when written
        self.file = h5py.File(self.guard, 'w', rdcc_nbytes=0, libver=LIBVER)

    def check(self):
        """Raise :class:`CacheWriteError` if a write has failed."""
        if self.guard.error is not None:
            self.abort()
            raise CacheWriteError(
                self.path, 'cannot be written: '
                f'{describe_error(self.guard.error)} (the partial file was '
                'removed)')

    def _close(self):
        try:
            if self.file.id.valid:
                self.file.close()
        finally:
            self.guard.close()

    def commit(self):
        """Close the file and rename it into place."""
        self._close()
        self.check()
        try:
            os.replace(self.temp, self.path)
        except OSError as e:
            self.abort()
            raise CacheWriteError(self.path, 'cannot be renamed into place: '
                                  f'{describe_error(e)}') from None

    def abort(self):
        """Close the file and remove it."""
        try:
            self._close()
        finally:
            if osp.exists(self.temp):
                os.remove(self.temp)

    def __enter__(self) -> h5py.File:
        return self.file

    def __exit__(self, exc_type, *_):
        if exc_type is None:
            self.commit()
            return
        self.abort()
        self.check()  # a write error explains what failed after it
