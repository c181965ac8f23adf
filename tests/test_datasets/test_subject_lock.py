"""mmbrain.datasets.nsd.subject_lock: one preparation per subject."""
import json
import os
import os.path as osp
import socket
import subprocess
import sys

import pytest

from mmbrain.datasets.nsd.subject_lock import SubjectLock, SubjectLockedError


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
