"""The demo pretraining config end to end: it learns, a shuffled control
does not, and it runs under torch.distributed on 2 CPU processes."""
import os.path as osp
import re
import sys

import pytest

from mmbrain.datasets.nsd import prepare_subject
from mmbrain.datasets.demo import DemoSpec, make_demo_nsd
from .test_train import ROOT, assert_ok, free_port, run_tool

CONFIG = osp.join(ROOT, 'configs', 'pretrain', 'demo',
                  'brainformer_convnext_demo.py')
EPOCHS = 12


@pytest.fixture(scope='module')
def demo_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('demo_nsd'))
    make_demo_nsd(root, DemoSpec(seed=0, num_subjects=2))
    for subject in (1, 2):
        prepare_subject(root, subject, osp.join(root, 'prepared'),
                        progress=False)
    return root


def options(root, *extra):
    return ['--cfg-options'] + [
        f'{split}_dataloader.dataset.data_root={root}'
        for split in ('train', 'val', 'test')
    ] + list(extra)


def retrieval(log: str) -> dict:
    """The last validation's retrieval figures printed by the runner."""
    found = re.findall(r'retrieval/(\w+): ([\d.]+)', log)
    assert found, log[-3000:]
    return {k: float(v) for k, v in found}


def pretrain(root, work_dir, *extra):
    proc = run_tool(
        [sys.executable, 'tools/train.py', CONFIG] +
        options(root, f'train_cfg.max_epochs={EPOCHS}',
                f'train_cfg.val_interval={EPOCHS}', *extra), work_dir)
    assert_ok(proc)
    return retrieval(proc.stdout + proc.stderr)


def test_learns_and_shuffled_control_stays_at_chance(demo_root, tmp_path):
    real = pretrain(demo_root, tmp_path / 'real')
    # 50 held-out images per subject: chance top-5 is 10%
    assert real['chance_top5'] == pytest.approx(10.)
    assert real['i2b_top5'] > 30 and real['b2i_top5'] > 30, real
    shuffled = pretrain(demo_root, tmp_path / 'shuffled',
                        'train_dataloader.dataset.shuffle_responses=0')
    assert shuffled['i2b_top5'] < 20 and shuffled['b2i_top5'] < 20, shuffled
    assert osp.exists(tmp_path / 'real' / 'backbone.pth')


def test_two_cpu_processes_share_the_global_batch(demo_root, tmp_path):
    proc = run_tool(
        ['bash', 'tools/dist_train.sh', CONFIG, '2'] +
        options(demo_root, 'train_cfg.max_epochs=1',
                'train_cfg.val_interval=1'),
        tmp_path,
        PYTHON=sys.executable,
        PORT=str(free_port()))
    assert_ok(proc)
    log = proc.stdout + proc.stderr
    # batch 16 per process; the contrastive loss ranks against both
    assert 'global_batch: 32.0000' in log
    assert 'retrieval/i2b_top5' in log
