"""tools/train.py and tools/dist_train.sh end to end on a toy model (CPU)."""
import os
import os.path as osp
import signal
import sys

import numpy as np
import pytest
import torch

import mmbrain  # noqa: F401  (allow-lists mmengine checkpoint classes)


def test_killed_training_resumes_exactly(tmp_path, train_toy):
    train_toy(tmp_path / 'reference')

    killed = train_toy(tmp_path / 'resumed', check=False, TOY_KILL_AT='5')
    assert killed.returncode == -signal.SIGKILL
    saved = sorted(os.listdir(tmp_path / 'resumed'))
    assert 'iter_4.pth' in saved and 'iter_6.pth' not in saved

    resumed = train_toy(tmp_path / 'resumed', '--resume')
    assert 'resumed epoch: 0, iter: 4' in resumed.stdout + resumed.stderr

    ref = torch.load(tmp_path / 'reference' / 'iter_10.pth')
    res = torch.load(tmp_path / 'resumed' / 'iter_10.pth')
    assert res['meta']['iter'] == ref['meta']['iter'] == 10
    for key, value in ref['state_dict'].items():
        assert torch.equal(value, res['state_dict'][key]), key
    ref_opt, res_opt = ref['optimizer']['state'], res['optimizer']['state']
    assert ref_opt.keys() == res_opt.keys()
    for idx in ref_opt:
        assert ref_opt[idx]['step'] == res_opt[idx]['step']
        for name in ('exp_avg', 'exp_avg_sq'):
            assert torch.equal(ref_opt[idx][name], res_opt[idx][name])
    assert ref['param_schedulers'] == res['param_schedulers']


def test_tensorboard_logs_the_curves(tmp_path, train_toy):
    """--tensorboard: an event file of the loss at every logged iteration,
    beside the JSON scalars that stay."""
    from tensorboard.backend.event_processing.event_accumulator import \
        EventAccumulator
    train_toy(tmp_path, '--tensorboard', '--cfg-options',
              'train_cfg.max_iters=4')
    events = [osp.join(d, f) for d, _, files in os.walk(tmp_path)
              for f in files if f.startswith('events.out.tfevents.')]
    assert len(events) == 1 and osp.basename(osp.dirname(
        events[0])) == 'vis_data'
    log = EventAccumulator(events[0])
    log.Reload()
    loss = log.Scalars('loss')
    assert [e.step for e in loss] == [1, 2, 3, 4]
    assert all(np.isfinite(e.value) for e in loss)
    assert osp.exists(osp.join(osp.dirname(events[0]), 'scalars.json'))


def test_resume_from_explicit_checkpoint(tmp_path, train_toy):
    train_toy(tmp_path, '--cfg-options', 'train_cfg.max_iters=4')
    proc = train_toy(tmp_path / 'continued', '--resume',
                     str(tmp_path / 'iter_2.pth'))
    assert 'resumed epoch: 0, iter: 2' in proc.stdout + proc.stderr
    assert osp.exists(tmp_path / 'continued' / 'iter_10.pth')


def test_dist_train(tmp_path, run_tool, toy_config, free_port):
    """Two processes on CPU (gloo fallback), or one per GPU (nccl)."""
    gpus = torch.cuda.device_count()
    nproc, backend = (min(gpus, 2), 'nccl') if gpus else (2, 'gloo')
    proc = run_tool(
        ['bash', 'tools/dist_train.sh', toy_config,
         str(nproc), '--cfg-options',
         'train_cfg.max_iters=4'],
        tmp_path,
        PYTHON=sys.executable,
        PORT=str(free_port))
    log = proc.stdout + proc.stderr
    assert 'Distributed training: True' in log
    assert f"'backend': '{backend}'" in log
    assert f'GPU number: {nproc}' in log
    ckpt = torch.load(tmp_path / 'iter_4.pth')
    assert ckpt['meta']['iter'] == 4
    ranks = [torch.load(tmp_path / f'rank{r}.pth') for r in range(nproc)]
    # every rank trained, each on its own shard of the data ...
    assert all(len(r['seen']) == 4 * 4 for r in ranks)
    if nproc == 2:
        assert set(ranks[0]['seen']).isdisjoint(ranks[1]['seen'])
    # ... and the all-reduced gradients kept the weights identical
    for key, value in ranks[0]['state_dict'].items():
        for other in ranks[1:]:
            assert torch.equal(value, other['state_dict'][key]), key


def test_bf16_amp_trains_without_a_loss_scaler_and_resumes(tmp_path,
                                                           train_toy):
    killed = train_toy(tmp_path, '--amp', check=False, TOY_KILL_AT='3')
    assert killed.returncode == -signal.SIGKILL
    resumed = train_toy(tmp_path, '--amp', '--resume')
    assert '--amp: bf16 (AutocastOptimWrapper)' in resumed.stdout + \
        resumed.stderr
    ckpt = torch.load(tmp_path / 'iter_10.pth')
    assert ckpt['meta']['iter'] == 10
    assert 'loss_scaler' not in ckpt['optimizer']


@pytest.mark.skipif(
    not torch.cuda.is_available(), reason='mmengine AMP needs a GPU')
def test_fp16_amp_training_resumes_with_loss_scaler(tmp_path, train_toy):
    killed = train_toy(tmp_path, '--amp', 'fp16', check=False,
                       TOY_KILL_AT='3')
    assert killed.returncode == -signal.SIGKILL
    train_toy(tmp_path, '--amp', 'fp16', '--resume')
    ckpt = torch.load(tmp_path / 'iter_10.pth')
    assert ckpt['meta']['iter'] == 10
    assert 'loss_scaler' in ckpt['optimizer']


def test_resume_steps_back_over_a_damaged_latest_checkpoint(tmp_path,
                                                           train_toy):
    train_toy(tmp_path / 'reference')
    work_dir = tmp_path / 'resumed'
    train_toy(work_dir, check=False, TOY_KILL_AT='5')
    latest = work_dir / 'iter_4.pth'
    data = latest.read_bytes()
    latest.write_bytes(data[:len(data) // 2])  # a disk that lost its tail

    resumed = train_toy(work_dir, '--resume')
    log = resumed.stdout + resumed.stderr
    assert f'the latest checkpoint {latest} cannot be used' in log
    assert f'resuming from {work_dir / "iter_2.pth"}' in log
    assert 'resumed epoch: 0, iter: 2' in log
    ref = torch.load(tmp_path / 'reference' / 'iter_10.pth')
    res = torch.load(work_dir / 'iter_10.pth')
    for key, value in ref['state_dict'].items():
        assert torch.equal(value, res['state_dict'][key]), key


def test_resume_from_a_damaged_checkpoint_is_one_line(tmp_path, train_toy):
    path = tmp_path / 'cut.pth'
    path.write_bytes(b'PK\x03\x04 cut short')
    proc = train_toy(tmp_path, '--resume', str(path), check=False)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].startswith(
        f'train.py: error: {path}: damaged or truncated')
    assert 'Traceback' not in proc.stderr
