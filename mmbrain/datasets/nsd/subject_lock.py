"""One writer per subject: the lock file ``<out_dir>/subjXX.lock``.

:class:`SubjectLock` is created with ``O_CREAT | O_EXCL``, held for a whole
preparation and removed at its end. It relies only on exclusive creation
being atomic, which local file systems, NFS (v3 and later), Lustre and GPFS
provide; it uses neither ``flock``/``fcntl`` locks nor HDF5's own file
locking, so it behaves the same with ``HDF5_USE_FILE_LOCKING=FALSE``. A
second preparation of the subject refuses at once, naming the lock's
holder. The lock of a killed run stays behind: on the same host, a holder
that no longer runs is detected and its lock taken over; a lock left by
another host must be deleted by hand (the error says so).
"""
import json
import os
import os.path as osp
import socket
import time
import warnings
from typing import Optional

from .atomic_hdf5 import CacheWriteError, describe_error


class SubjectLockedError(RuntimeError):
    """Another process holds the subject's lock."""


def process_start(pid: int) -> Optional[str]:
    """The start time of a process on this host (Linux: clock ticks since
    boot, from ``/proc``), which tells a reused pid; None if unknown."""
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().rsplit(')', 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def process_runs(pid: int, start: Optional[str]) -> bool:
    """Whether process ``pid``, started at ``start``, runs on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        pass
    return start is None or process_start(pid) in (None, start)


class SubjectLock:
    """The lock of one subject's cache, ``<out_dir>/subjXX.lock``, held in a
    ``with`` block.

    Args:
        out_dir (str): The cache's folder (created if needed).
        subject (int): 1..8.

    Raises:
        SubjectLockedError: On entering, when another live process holds it.
        CacheWriteError: The lock file cannot be created.
    """

    def __init__(self, out_dir: str, subject: int):
        self.path = osp.join(out_dir, f'subj{subject:02d}.lock')
        self.subject = subject
        self.held = False

    def _holder(self) -> Optional[dict]:
        """The holder's host, pid and start; None without a lock, {} for a
        lock file being written or unreadable."""
        try:
            with open(self.path) as f:
                holder = json.load(f)
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return {}
        return holder if isinstance(holder, dict) and {
            'host', 'pid', 'since'} <= set(holder) else {}

    def _create(self) -> bool:
        try:
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY,
                         0o644)
        except FileExistsError:
            return False
        except OSError as e:
            raise CacheWriteError(self.path, 'cannot create the lock file: '
                                  f'{describe_error(e)}') from None
        info = dict(
            host=socket.gethostname(),
            pid=os.getpid(),
            start=process_start(os.getpid()),
            since=time.strftime('%Y-%m-%d %H:%M:%S'))
        with os.fdopen(fd, 'w') as f:
            json.dump(info, f)
        return True

    def acquire(self):
        os.makedirs(osp.dirname(osp.abspath(self.path)), exist_ok=True)
        for _ in range(5):
            if self._create():
                self.held = True
                return
            holder = self._holder()
            if holder is None:  # released meanwhile
                continue
            if not holder:  # being written: look again
                time.sleep(0.2)
                continue
            same_host = holder['host'] == socket.gethostname()
            if same_host and not process_runs(holder['pid'],
                                              holder.get('start')):
                warnings.warn(f'{self.path}: taking over the lock of process '
                              f'{holder["pid"]}, which no longer runs (a '
                              'killed preparation)')
                try:
                    os.remove(self.path)
                except FileNotFoundError:
                    pass
                continue
            advice = ('wait for it to finish' if same_host else
                      'wait for it to finish, or, if that process no longer '
                      'runs, delete this file')
            raise SubjectLockedError(
                f'{self.path}: subject {self.subject} is being prepared by '
                f'process {holder["pid"]} on {holder["host"]} since '
                f'{holder["since"]}; {advice}')
        raise SubjectLockedError(
            f'{self.path}: subject {self.subject} is locked by a lock file '
            'that cannot be read; if no preparation of it runs, delete this '
            'file')

    def release(self):
        """Remove the lock file, if it is still this process's."""
        if self.held:
            self.held = False
            holder = self._holder() or {}
            if (holder.get('pid'), holder.get('host')) == (
                    os.getpid(), socket.gethostname()):
                os.remove(self.path)

    def __enter__(self) -> 'SubjectLock':
        self.acquire()
        return self

    def __exit__(self, *_):
        self.release()
