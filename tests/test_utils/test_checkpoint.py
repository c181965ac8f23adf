"""mmbrain.utils.checkpoint: damaged and refused checkpoints named, and a
resume that steps back over a damaged latest checkpoint."""
import os.path as osp

import pytest
import torch
from mmengine.runner import CheckpointLoader

import mmbrain  # noqa: F401  (registers the local checkpoint loader)
from mmbrain.utils.checkpoint import (CheckpointError, checkpoint_problem,
                                      resume_checkpoint)


class Payload:
    """A class nobody allow-listed."""


def save(path, cut: float = 1.0):
    """A small checkpoint at ``path``, cut to a fraction of its bytes."""
    torch.save(dict(state_dict=dict(w=torch.arange(1000.))), path)
    data = open(path, 'rb').read()
    with open(path, 'wb') as f:
        f.write(data[:int(len(data) * cut)])
    return str(path)


def test_problems_at_a_glance(tmp_path):
    assert checkpoint_problem(save(tmp_path / 'a.pth')) is None
    assert checkpoint_problem(str(tmp_path / 'no.pth')) == 'file not found'
    assert checkpoint_problem(save(tmp_path / 'e.pth', 0)) == ('the file is '
                                                               'empty')
    assert checkpoint_problem(save(tmp_path / 't.pth', 0.9)).startswith(
        'damaged or truncated')


def test_loading_names_the_file(tmp_path):
    path = save(tmp_path / 'a.pth')
    loaded = CheckpointLoader.load_checkpoint(path, map_location='cpu')
    assert torch.equal(loaded['state_dict']['w'], torch.arange(1000.))
    cut = save(tmp_path / 'cut.pth', 0.5)
    with pytest.raises(CheckpointError, match=f'^{cut}: damaged or '
                       'truncated'):
        CheckpointLoader.load_checkpoint(cut)


def test_unsafe_pickle_refusal_names_the_file_and_the_object(tmp_path):
    path = str(tmp_path / 'evil.pth')
    torch.save(dict(payload=Payload()), path)
    with pytest.raises(CheckpointError) as info:
        CheckpointLoader.load_checkpoint(path)
    message = str(info.value)
    assert message.startswith(f'{path}: refused: it holds the Python object '
                              f'{__name__}.Payload, ')
    assert 'weights_only=False' not in message
    assert 'could run any code' in message


def test_resume_steps_back_over_a_damaged_latest(tmp_path):
    for it in (2, 4, 6):
        save(tmp_path / f'iter_{it}.pth', 0.5 if it == 6 else 1.0)
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_6.pth'))
    with pytest.warns(UserWarning) as record:
        assert resume_checkpoint(str(tmp_path)) == str(tmp_path / 'iter_4.pth')
    assert str(record[0].message).startswith(
        f'the latest checkpoint {tmp_path / "iter_6.pth"} cannot be used '
        '(damaged or truncated')
    assert str(record[0].message).endswith(
        f'resuming from {tmp_path / "iter_4.pth"}, the one saved before it')

    for it in (2, 4):
        save(tmp_path / f'iter_{it}.pth', 0)
    with pytest.raises(CheckpointError, match='holds no intact checkpoint'):
        resume_checkpoint(str(tmp_path))


def test_resume_of_a_new_or_intact_work_dir(tmp_path):
    assert resume_checkpoint(str(tmp_path)) is None
    save(tmp_path / 'epoch_1.pth')
    (tmp_path / 'last_checkpoint').write_text(
        osp.join(str(tmp_path), 'epoch_1.pth'))
    assert resume_checkpoint(str(tmp_path)) == str(tmp_path / 'epoch_1.pth')
