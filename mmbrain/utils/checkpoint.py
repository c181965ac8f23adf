"""Checkpoints that are damaged or unsafe get errors that name the file,
and ``--resume`` steps back over a damaged latest checkpoint.

:func:`load_local_checkpoint` is mmengine's loader of local checkpoints
(registered by :mod:`mmbrain.compat`), so ``load_from``, ``--resume``,
``init_cfg=dict(type='Pretrained')`` and ``tools/test.py`` all go through
it.
"""
import glob
import os.path as osp
import pickle
import re
import warnings
import zipfile
from typing import Optional

import torch
from mmengine.runner.checkpoint import find_latest_checkpoint

from .user_errors import UserError

SAVED_NAME = re.compile(r'(epoch|iter)_(\d+)\.pth')
# the first byte of torch.save's legacy format (a pickle's PROTO opcode)
LEGACY_MAGIC = b'\x80'


class CheckpointError(UserError, ValueError):
    """A checkpoint file is missing, damaged or refused."""

    def __init__(self, path: str, problem: str):
        super().__init__(f'{path}: {problem}')
        self.path, self.problem = path, problem


def checkpoint_problem(path: str) -> Optional[str]:
    """What is wrong with a checkpoint file at a glance (None if nothing):
    missing, empty, neither of ``torch.save``'s formats, or a zip archive
    (its format) without its closing directory, as a write cut short leaves
    it. Reads the start and the end of the file only."""
    if not osp.isfile(path):
        return 'file not found'
    with open(path, 'rb') as f:
        magic = f.read(2)
    if not magic:
        return 'the file is empty'
    if magic[:1] == LEGACY_MAGIC:  # torch.load checks the rest
        return None
    if magic != b'PK':
        return ("not a checkpoint: neither torch.save's zip archive nor its "
                'legacy pickle format')
    try:
        zipfile.ZipFile(path).close()
    except zipfile.BadZipFile as e:
        return f'damaged or truncated ({e})'
    return None


def load_local_checkpoint(filename: str, map_location=None) -> dict:
    """``torch.load`` of a local checkpoint (safe loading, as torch >= 2.6
    does by default), its problems named.

    Raises:
        CheckpointError: The file is missing, damaged, or holds a Python
            object that safe loading refuses.
    """
    filename = osp.expanduser(filename)
    problem = checkpoint_problem(filename)
    if problem is not None:
        raise CheckpointError(filename, problem)
    try:
        return torch.load(filename, map_location=map_location,
                          weights_only=True)
    except pickle.UnpicklingError as e:
        found = re.search(r'GLOBAL ([\w.]+)', str(e))
        if found is None:  # torch's reason, without its advice
            reason = re.search(r'WeightsUnpickler error:\s*(.+)', str(e))
            raise CheckpointError(
                filename, 'not a readable checkpoint (safe loading: '
                f'{reason.group(1) if reason else type(e).__name__})'
            ) from None
        raise CheckpointError(
            filename, f'refused: it holds the Python object {found.group(1)}'
            ', which is neither a tensor nor one of the types that mmbrain '
            'allows, and unpickling it could run any code. mmbrain loads '
            'checkpoints safely (torch.load with weights_only=True); save '
            'the weights as a state_dict of tensors to load them') from None
    except RuntimeError as e:  # torch's zip reader on a damaged archive
        if 'PytorchStreamReader' not in str(e):
            raise
        raise CheckpointError(filename, 'damaged or truncated ('
                              f'{str(e).splitlines()[0]})') from None
    except (EOFError, IndexError, KeyError, ValueError) as e:
        # a legacy-format file cut short or not a pickle of tensors
        raise CheckpointError(
            filename, 'not a readable checkpoint, cut short or not a pickle '
            f'of tensors (torch.load: {type(e).__name__} {e})') from None


def resume_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint that ``--resume`` without a path continues from: the
    latest one mmengine saved in ``work_dir`` or, when it is damaged, the
    newest intact one saved before it, with a warning naming both.

    Returns:
        str | None: None when ``work_dir`` has no checkpoint yet.

    Raises:
        CheckpointError: The latest is damaged and no earlier one is intact.
    """
    latest = find_latest_checkpoint(work_dir)
    if latest is None:
        return None
    problem = checkpoint_problem(latest)
    if problem is None:
        return latest
    match = SAVED_NAME.fullmatch(osp.basename(latest))
    newest_first = sorted(
        (int(m.group(2)), path)
        for path in glob.glob(osp.join(glob.escape(work_dir), '*.pth'))
        for m in [SAVED_NAME.fullmatch(osp.basename(path))]
        if m and (match is None or int(m.group(2)) < int(match.group(2))))
    for _, path in reversed(newest_first):
        if checkpoint_problem(path) is None:
            warnings.warn(f'the latest checkpoint {latest} cannot be used '
                          f'({problem}); resuming from {path}, the one saved '
                          'before it')
            return path
    raise CheckpointError(
        latest, f'{problem}, and {work_dir} holds no intact checkpoint saved '
        'before it to resume from')


def last_checkpoint(work_dir: str) -> str:
    """The checkpoint mmengine's runner last saved in ``work_dir``."""
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        return f.read().strip()
