"""Results and exports that appear only when complete.

:func:`atomic_file` writes under a temporary name in the same folder,
flushes and fsyncs it, then renames it into place (``os.replace``, atomic on
local file systems and NFS). A killed job or a full disk therefore leaves
either the old file or none, never a truncated one; :func:`write_json`
(:mod:`.json_io`) and :func:`save_checkpoint` write through it.
"""
import contextlib
import os
import os.path as osp
import tempfile
from typing import IO, Iterator

import torch

from .user_errors import UserError


class ResultWriteError(UserError, OSError):
    """A result could not be written (no space, no permission); nothing was
    left at its path."""

    def __init__(self, path: str, error: OSError):
        reason = os.strerror(error.errno) if error.errno else str(error)
        super().__init__(f'{path}: cannot be written: {reason} (nothing was '
                         'left there)')
        self.path = path


@contextlib.contextmanager
def atomic_file(path: str, mode: str = 'w') -> Iterator[IO]:
    """The open file to fill; it becomes ``path`` (its folder made first)
    when the ``with`` block ends without error, and is removed otherwise.

    Raises:
        ResultWriteError: Writing, syncing or renaming failed.
    """
    folder = osp.dirname(osp.abspath(path))
    try:
        os.makedirs(folder, exist_ok=True)
        fd, temp = tempfile.mkstemp(
            dir=folder, prefix=f'.{osp.basename(path)}.', suffix='.tmp')
    except OSError as e:
        raise ResultWriteError(path, e) from None
    try:
        with os.fdopen(fd, mode) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temp, 0o644)  # mkstemp's 0o600 is for secrets
        os.replace(temp, path)
    except BaseException as e:
        with contextlib.suppress(FileNotFoundError):
            os.remove(temp)
        # torch's zip writer raises its own error on top of a full disk's
        cause = next((c for c in (e, e.__context__) if isinstance(c, OSError)),
                     None)
        if cause is not None:
            raise ResultWriteError(path, cause) from None
        raise


def save_checkpoint(checkpoint: dict, path: str):
    """``torch.save`` of ``checkpoint`` to ``path`` through
    :func:`atomic_file`."""
    with atomic_file(path, 'wb') as f:
        torch.save(checkpoint, f)
