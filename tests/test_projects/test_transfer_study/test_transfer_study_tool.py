"""The transfer study's training stages, run as tool calls: a killed one
resumes, a finished one is skipped."""
import os.path as osp

import pytest

from projects.transfer_study.transfer_study.study import Study


def test_a_killed_training_resumes_and_a_finished_one_is_skipped(
        tmp_path, toy_config, monkeypatch, capfd):
    """A training stage is done only once it ended: a killed one (its
    checkpoints saved) resumes from the last one, not taken as done."""
    import subprocess
    monkeypatch.setenv('PYTHONPATH', osp.dirname(toy_config))
    study = Study(str(tmp_path), 'data', [1, 2], {})
    work_dir, seed = str(tmp_path / 'train'), ['randomness.seed=0']
    monkeypatch.setenv('TOY_KILL_AT', '5')
    with pytest.raises(subprocess.CalledProcessError):
        study.train('toy', toy_config, work_dir, seed)
    assert not osp.exists(osp.join(work_dir, 'finished'))
    monkeypatch.delenv('TOY_KILL_AT')
    assert study.train('toy', toy_config, work_dir, seed) == osp.join(
        work_dir, 'iter_10.pth')
    assert 'resumed epoch: 0, iter: 4' in ''.join(capfd.readouterr())
    study.train('toy', toy_config, work_dir, seed)
    assert f'{osp.join(work_dir, "finished")} exists, skipped' in (
        capfd.readouterr().out)
