"""One writer per subject: the lock file ``<out_dir>/subjXX.lock``.

:class:`SubjectLock` is held for a whole preparation and removed at its
end. The holder's host, pid, process start and time are written to a
temporary file of its own, flushed, and published with ``link`` onto the
lock's name, which fails if a lock exists: a lock file is complete whenever
it exists, and a full disk leaves none. A second preparation of the subject
refuses at once, naming the lock's holder.

A stale lock is taken over, with a warning: one whose holder no longer runs
on this host (a killed run), and an empty or unparsable one (left by a
crash of an older mmbrain), once it stays so for 0.2 s. Only the run that
creates ``subjXX.lock.takeover`` exclusively may remove it, after checking
that the lock still has the content judged stale. A lock left by a live
holder or by another host is never removed; the latter must be deleted by
hand (the error says so).

It relies only on exclusive creation and ``link`` being atomic, as on local
file systems, NFS (v3 and later), Lustre and GPFS; it uses neither
``flock``/``fcntl`` locks nor HDF5's own file locking, so it behaves the
same with ``HDF5_USE_FILE_LOCKING=FALSE``.
"""
import contextlib
import json
import os
import os.path as osp
import socket
import time
import warnings
from typing import Optional, Tuple

from mmbrain.utils.user_errors import UserError
from .atomic_hdf5 import CacheWriteError, describe_error, temp_path


class SubjectLockedError(UserError, RuntimeError):
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
        self.marker = self.path + '.takeover'
        self.subject = subject
        self.held = False

    def _read(self) -> Tuple[Optional[bytes], Optional[dict]]:
        """The lock file's content (None without one) and its holder's host,
        pid, start and since (None if unreadable)."""
        try:
            with open(self.path, 'rb') as f:
                raw = f.read()
        except FileNotFoundError:
            return None, None
        except OSError as e:
            raise SubjectLockedError(f'{self.path}: the lock file cannot be '
                                     f'read: {describe_error(e)}') from None
        try:
            holder = json.loads(raw)
        except ValueError:
            return raw, None
        return raw, holder if isinstance(holder, dict) and {
            'host', 'pid', 'since'} <= set(holder) else None

    def _create(self) -> bool:
        """Publish this process's lock file; False if a lock exists."""
        info = json.dumps(dict(
            host=socket.gethostname(),
            pid=os.getpid(),
            start=process_start(os.getpid()),
            since=time.strftime('%Y-%m-%d %H:%M:%S'))).encode()
        temp = temp_path(self.path)
        try:
            with open(temp, 'wb') as f:
                f.write(info)
                f.flush()
                os.fsync(f.fileno())
            try:
                os.link(temp, self.path)
            except FileExistsError:
                # NFS may report a retried link that succeeded as existing
                return os.stat(temp).st_nlink == 2
            return True
        except OSError as e:
            raise CacheWriteError(self.path, 'cannot create the lock file: '
                                  f'{describe_error(e)}') from None
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.remove(temp)

    def _take_over(self, judged: bytes, what: str):
        """Remove the lock file if it still holds ``judged``, the content of
        a stale lock (``what``).

        Exactly one run removes a given stale lock: only the creator of the
        marker file (exclusive creation) compares and removes, and while the
        marker exists nothing else changes a stale lock file (its holder is
        gone, a new lock cannot be created over it, and a release removes
        only the caller's own live lock). A run that judged too late finds
        another content (a new lock never repeats a stale one's) or none,
        and removes nothing.
        """
        try:
            os.close(os.open(self.marker, os.O_CREAT | os.O_EXCL, 0o644))
        except FileExistsError:  # another run is taking it over
            time.sleep(0.2)
            return
        except OSError as e:
            raise CacheWriteError(self.marker, 'cannot be created: '
                                  f'{describe_error(e)}') from None
        try:
            if self._read()[0] == judged:
                os.remove(self.path)
                warnings.warn(f'{self.path}: taking over {what}')
        finally:
            os.remove(self.marker)

    def acquire(self):
        os.makedirs(osp.dirname(osp.abspath(self.path)), exist_ok=True)
        for _ in range(5):
            if self._create():
                self.held = True
                return
            raw, holder = self._read()
            if raw is None:  # released meanwhile
                continue
            if holder is None:
                time.sleep(0.2)  # an older mmbrain may be writing it
                if self._read()[0] != raw:
                    continue
                what = ('an unreadable lock file (empty or not JSON), left '
                        'by a crash')
            elif holder['host'] == socket.gethostname() and not process_runs(
                    holder['pid'], holder.get('start')):
                what = (f'the lock of process {holder["pid"]}, which no '
                        'longer runs (a killed preparation)')
            else:
                advice = ('wait for it to finish'
                          if holder['host'] == socket.gethostname() else
                          'wait for it to finish, or, if that process no '
                          'longer runs, delete this file')
                raise SubjectLockedError(
                    f'{self.path}: subject {self.subject} is being prepared '
                    f'by process {holder["pid"]} on {holder["host"]} since '
                    f'{holder["since"]}; {advice}')
            self._take_over(raw, what)
        raise SubjectLockedError(
            f'{self.path}: subject {self.subject} has a stale lock that could '
            'not be taken over; if no preparation of it runs, delete this '
            f'file and {self.marker}, if present')

    def release(self):
        """Remove the lock file, if it is still this process's."""
        if self.held:
            self.held = False
            holder = self._read()[1] or {}
            if (holder.get('pid'), holder.get('host')) == (
                    os.getpid(), socket.gethostname()):
                os.remove(self.path)

    def __enter__(self) -> 'SubjectLock':
        self.acquire()
        return self

    def __exit__(self, *_):
        self.release()
