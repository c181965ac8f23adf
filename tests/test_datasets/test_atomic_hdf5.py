"""mmbrain.datasets.nsd.atomic_hdf5: files renamed into place only when
complete, and write errors that name the file."""
import errno
import os
import os.path as osp
import socket

import h5py
import numpy as np
import pytest

from mmbrain.datasets.nsd import CacheWriteError, CacheWriter
from mmbrain.datasets.nsd.atomic_hdf5 import (AtomicHDF5, remove_temps,
                                              temp_path)


class FillingDisk:
    """A raw file that takes ``budget`` bytes, then fails as a full disk
    does: first a short write, then ``ENOSPC``."""

    def __init__(self, file, budget: int):
        self.file, self.budget = file, budget

    def write(self, data):
        if self.budget <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        taken = self.file.write(memoryview(data)[:self.budget])
        self.budget -= taken
        return taken

    def __getattr__(self, name):
        return getattr(self.file, name)


def test_atomic_file_appears_only_when_complete(tmp_path):
    path = str(tmp_path / 'a.h5')
    with AtomicHDF5(path) as f:
        f['x'] = np.arange(5)
        assert os.listdir(tmp_path) == [osp.basename(temp_path(path))]
    assert os.listdir(tmp_path) == ['a.h5']
    with h5py.File(path, 'r') as f:
        assert f['x'][()].tolist() == [0, 1, 2, 3, 4]

    with pytest.raises(KeyError):
        with AtomicHDF5(path) as f:
            f['x'] = np.zeros(3)
            raise KeyError('a bug')
    assert os.listdir(tmp_path) == ['a.h5']  # the old file, untouched
    with h5py.File(path, 'r') as f:
        assert f['x'].shape == (5, )


@pytest.mark.parametrize('budget', [0, 100, 5000, 60000])
def test_write_error_is_one_clear_error_and_no_partial_file(tmp_path,
                                                            budget):
    path = str(tmp_path / 'subj01.h5')
    out = CacheWriter(path, np.arange(50), np.zeros(50, bool))
    out.out.guard.file = FillingDisk(out.out.guard.file, budget)
    with pytest.raises(CacheWriteError) as info:
        with out:
            data = out.add_roi('floc-faces', coords=np.zeros((300, 3)))
            for row in range(0, 50, 10):
                data[row:row + 10] = 1.0
                out.check()
            out.finish(1, ['floc-faces'], str(tmp_path), {})
    assert str(info.value) == (f'{path}: cannot be written: No space left '
                               'on device (the partial file was removed)')
    assert os.listdir(tmp_path) == []


def test_atomic_files_of_two_processes_do_not_meet(tmp_path):
    path = str(tmp_path / 'a.h5')
    other = f'{path}.{socket.gethostname()}-1.tmp'
    with h5py.File(other, 'w') as f:
        f['x'] = np.ones(3)
    with AtomicHDF5(path) as f:
        f['x'] = np.zeros(3)
    with h5py.File(other, 'r') as f:  # another writer's file, intact
        assert f['x'][()].tolist() == [1, 1, 1]
    assert remove_temps(path) == [other]
    assert os.listdir(tmp_path) == ['a.h5']
