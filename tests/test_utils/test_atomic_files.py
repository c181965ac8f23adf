"""mmbrain.utils.atomic_files and json_io: results appear whole or not at
all, and a damaged json names its file."""
import errno
import os

import pytest
import torch

from mmbrain.utils import (JSONFileError, ResultWriteError, atomic_file,
                           read_json, save_checkpoint, write_json)
from mmbrain.utils.checkpoint import checkpoint_problem


def test_json_and_checkpoints_are_written_whole(tmp_path):
    out = tmp_path / 'deep' / 'metrics.json'
    write_json(str(out), {'mIoU': 41.5})
    assert read_json(str(out)) == {'mIoU': 41.5}
    assert out.read_text() == '{\n  "mIoU": 41.5\n}'
    write_json(str(out), [1, 2], indent=None)
    assert out.read_text() == '[1, 2]'
    save_checkpoint(dict(state_dict=dict(w=torch.ones(3))), str(tmp_path /
                                                                'b.pth'))
    assert checkpoint_problem(str(tmp_path / 'b.pth')) is None
    assert torch.equal(torch.load(tmp_path / 'b.pth')['state_dict']['w'],
                       torch.ones(3))
    assert oct(os.stat(out).st_mode & 0o777) == oct(0o644)
    assert sorted(p.name for p in tmp_path.rglob('*')) == [
        'b.pth', 'deep', 'metrics.json']  # no temporary file left


def test_a_failed_write_leaves_the_old_file_and_no_other(tmp_path):
    out = tmp_path / 'probes.json'
    write_json(str(out), {'old': 1})
    with pytest.raises(TypeError):  # not serialisable: a bug, not a write
        write_json(str(out), {'new': object()})
    with pytest.raises(KeyboardInterrupt):  # killed half-way
        with atomic_file(str(out)) as f:
            f.write('{"new": ')
            raise KeyboardInterrupt
    assert read_json(str(out)) == {'old': 1}
    assert [p.name for p in tmp_path.iterdir()] == ['probes.json']


def test_a_full_disk_is_one_line_and_leaves_nothing(tmp_path, monkeypatch):
    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, 'fsync', full)
    out = tmp_path / 'backbone.pth'
    with pytest.raises(ResultWriteError) as info:
        save_checkpoint(dict(w=torch.ones(3)), str(out))
    assert str(info.value) == (f'{out}: cannot be written: No space left on '
                               'device (nothing was left there)')
    assert isinstance(info.value, OSError)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize('text', ['', '{"mIoU": 4', 'not json'])
def test_a_damaged_json_names_its_file(tmp_path, text):
    path = tmp_path / 'probes.json'
    path.write_text(text)
    with pytest.raises(JSONFileError) as info:
        read_json(str(path))
    assert str(info.value).startswith(f'{path}: not valid json, truncated '
                                      'or damaged (')
    assert '\n' not in str(info.value)
    assert isinstance(info.value, ValueError)


def test_a_real_full_disk_leaves_nothing(tiny_disk):
    """On a 1 MiB file system, a 2 MB checkpoint fails on one line and
    leaves no file, where torch.save to the path left a full one."""
    out = tiny_disk / 'backbone.pth'
    with pytest.raises(ResultWriteError, match='No space left on device'):
        save_checkpoint(dict(w=torch.zeros(500_000)), str(out))
    assert list(tiny_disk.iterdir()) == []
    save_checkpoint(dict(w=torch.zeros(1000)), str(out))  # room for this
    assert checkpoint_problem(str(out)) is None
