"""mmbrain.datasets.nsd.writing: the subject lock, files renamed into place
only when complete, and write errors that name the file."""
import errno
import json
import os
import os.path as osp
import socket
import subprocess
import sys

import h5py
import numpy as np
import pytest

from mmbrain.datasets.nsd import CacheWriteError, CacheWriter
from mmbrain.datasets.nsd.writing import (AtomicHDF5, SubjectLock,
                                          SubjectLockedError, remove_temps,
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


def test_second_holder_is_refused_with_the_holder_named(tmp_path):
    with SubjectLock(str(tmp_path), 3) as lock:
        assert lock.path == str(tmp_path / 'subj03.lock')
        with pytest.raises(SubjectLockedError) as info:
            SubjectLock(str(tmp_path), 3).acquire()
        message = str(info.value)
        assert message.startswith(f'{lock.path}: subject 3 is being '
                                  f'prepared by process {os.getpid()} on '
                                  f'{socket.gethostname()} since ')
        assert message.endswith('; wait for it to finish')
        with SubjectLock(str(tmp_path), 4):  # other subjects are free
            pass
    assert not osp.exists(lock.path)


def write_lock(path, **holder):
    info = dict(host=socket.gethostname(), pid=1, start=None,
                since='2026-01-01 00:00:00')
    info.update(holder)
    with open(path, 'w') as f:
        json.dump(info, f)


def test_lock_of_a_killed_process_is_taken_over(tmp_path):
    done = subprocess.run([sys.executable, '-c', 'import os; print(os.getpid())'],
                          capture_output=True, text=True)
    lock = SubjectLock(str(tmp_path), 1)
    write_lock(lock.path, pid=int(done.stdout))
    with pytest.warns(UserWarning, match=f'process {int(done.stdout)}, '
                      'which no longer runs'):
        lock.acquire()
    with open(lock.path) as f:
        assert json.load(f)['pid'] == os.getpid()
    lock.release()


def test_lock_of_a_reused_pid_is_taken_over(tmp_path):
    lock = SubjectLock(str(tmp_path), 1)
    write_lock(lock.path, pid=os.getpid(), start='1')  # started otherwise
    with pytest.warns(UserWarning, match='no longer runs'):
        with lock:
            pass


def test_lock_of_another_host_must_be_removed_by_hand(tmp_path):
    lock = SubjectLock(str(tmp_path), 1)
    write_lock(lock.path, host='node17', pid=4242)
    with pytest.raises(SubjectLockedError,
                       match='by process 4242 on node17 since 2026-01-01 '
                       '00:00:00; wait for it to finish, or, if that process '
                       'no longer runs, delete this file'):
        lock.acquire()
    with open(lock.path, 'w') as f:
        f.write('{not json')
    with pytest.raises(SubjectLockedError, match='cannot be read'):
        lock.acquire()
    assert osp.exists(lock.path)  # never removed by a refused run
