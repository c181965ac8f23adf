"""mmbrain.datasets.nsd.subject_lock: one preparation per subject."""
import errno
import json
import multiprocessing
import os
import os.path as osp
import re
import socket
import subprocess
import sys
import time
import warnings

import pytest

from mmbrain.datasets.nsd.atomic_hdf5 import CacheWriteError, temp_path
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
    done = subprocess.run(
        [sys.executable, '-c', 'import os; print(os.getpid())'],
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
    assert osp.exists(lock.path)  # never removed by a refused run


@pytest.mark.parametrize('content', ['', '{"host": "node17", "pi', '[]'])
def test_an_unreadable_lock_file_is_taken_over(tmp_path, content):
    """Left by a crash of an older mmbrain, which wrote the lock in place."""
    lock = SubjectLock(str(tmp_path), 1)
    with open(lock.path, 'w') as f:
        f.write(content)
    with pytest.warns(UserWarning, match=re.escape(
            f'{lock.path}: taking over an unreadable lock file')):
        with lock:
            with open(lock.path) as f:
                assert json.load(f)['pid'] == os.getpid()
    assert os.listdir(tmp_path) == []


def test_a_lock_file_written_meanwhile_is_not_taken_over(tmp_path,
                                                         monkeypatch):
    """An empty lock that gets its content within 0.2 s names its holder."""
    lock = SubjectLock(str(tmp_path), 1)
    open(lock.path, 'w').close()
    monkeypatch.setattr(time, 'sleep', lambda _: write_lock(
        lock.path, pid=os.getpid()))
    with pytest.raises(SubjectLockedError,
                       match=f'by process {os.getpid()} on '):
        lock.acquire()


@pytest.mark.parametrize('failing', ['write', 'fsync', 'link'])
def test_a_full_disk_leaves_no_lock_file(tmp_path, monkeypatch, failing):
    lock = SubjectLock(str(tmp_path), 1)
    if failing == 'write':  # the kernel's own ENOSPC
        if not osp.exists('/dev/full'):
            pytest.skip('no /dev/full')
        os.symlink('/dev/full', temp_path(lock.path))
    else:
        def full(*_):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(os, failing, full)
    with pytest.raises(CacheWriteError) as info:
        lock.acquire()
    assert str(info.value) == (f'{lock.path}: cannot create the lock file: '
                               'No space left on device')
    assert os.listdir(tmp_path) == []


def race_run(folder, first, forced, barrier, first_done, results, finish):
    """One of two runs that both judge the same lock stale, then wait for
    each other before taking it over; if ``forced``, the second goes on
    only once the first is done (has taken over and locked, or failed)."""
    take_over = SubjectLock._take_over
    paused = []

    def pausing(self, judged, what):
        if not paused:
            paused.append(barrier.wait(10))
            if forced and not first:
                first_done.wait(10)
        take_over(self, judged, what)

    SubjectLock._take_over = pausing
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter('always')
        try:
            SubjectLock(folder, 1).acquire()
            error = None
        except SubjectLockedError as e:
            error = str(e)
    if first:
        first_done.set()
    results.put((os.getpid(), error, len(warned)))
    if error is None:
        finish.wait(20)  # hold the lock until checked


def test_a_stale_lock_is_taken_over_by_exactly_one_run(tmp_path):
    """Two processes take over the same stale lock (half the rounds: a
    killed holder; the others: an empty file), at once or (forced) one
    after the other: one locks and warns, the other is refused naming it."""
    context = multiprocessing.get_context('fork')
    for round_ in range(20):
        folder = tmp_path / str(round_)
        folder.mkdir()
        path = str(folder / 'subj01.lock')
        if round_ % 2:
            open(path, 'w').close()
        else:  # this process, as started otherwise: no longer runs
            write_lock(path, pid=os.getpid(), start='1')
        barrier, first_done = context.Barrier(2), context.Event()
        results, finish = context.Queue(), context.Event()
        runs = [context.Process(target=race_run, args=(
            str(folder), first, round_ % 4 < 2, barrier, first_done,
            results, finish)) for first in (True, False)]
        for run in runs:
            run.start()
        try:
            outcome = [results.get(timeout=20) for _ in runs]
            with open(path) as f:
                holder = json.load(f)
        finally:
            finish.set()
            for run in runs:
                run.join(20)
        assert [run.exitcode for run in runs] == [0, 0]
        winners = [pid for pid, error, _ in outcome if error is None]
        assert len(winners) == 1, (round_, outcome)
        (refusal,) = [error for _, error, _ in outcome if error]
        assert f'being prepared by process {winners[0]} on ' in refusal
        assert holder['pid'] == winners[0]
        assert sum(warned for *_, warned in outcome) == 1  # one took over
        assert os.listdir(folder) == ['subj01.lock']


def test_a_really_full_disk_leaves_no_lock(tiny_disk):
    """A file system with no byte left (a 1 MiB tmpfs, filled): one line,
    and neither a lock file nor its temporary file stays."""
    from mmbrain.datasets.nsd.atomic_hdf5 import CacheWriteError
    with open(tiny_disk / 'filler', 'wb', buffering=0) as f:
        with pytest.raises(OSError, match='No space left'):
            while True:
                f.write(b'\0' * 4096)
    lock = SubjectLock(str(tiny_disk), 1)
    with pytest.raises(CacheWriteError) as info:
        lock.acquire()
    assert str(info.value) == (f'{lock.path}: cannot create the lock file: '
                               'No space left on device')
    assert sorted(p.name for p in tiny_disk.iterdir()) == ['filler']
