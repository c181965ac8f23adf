"""The demo pretraining config end to end: it learns, a shuffled control
does not, and it runs under torch.distributed on 2 CPU processes."""
import os.path as osp
import re
import sys

import pytest

from mmbrain.datasets.nsd import prepare_subject
from mmbrain.datasets.demo import DemoSpec, make_demo_nsd
from mmbrain.visualization import read_scalars

EPOCHS = 12


@pytest.fixture(scope='module')
def demo_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('demo_nsd'))
    make_demo_nsd(root, DemoSpec(seed=0, num_subjects=2))
    for subject in (1, 2):
        prepare_subject(root, subject, osp.join(root, 'prepared'),
                        progress=False, allow_partial=True)
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


@pytest.fixture
def pretrain(run_tool, demo_config, demo_root):
    """``pretrain(work_dir, *cfg_options)`` trains the demo config on the
    demo data for EPOCHS epochs; the retrieval figures of the last
    validation."""

    def train(work_dir, *extra):
        proc = run_tool(
            [sys.executable, 'tools/train.py', demo_config] +
            options(demo_root, f'train_cfg.max_epochs={EPOCHS}',
                    f'train_cfg.val_interval={EPOCHS}', *extra), work_dir)
        return retrieval(proc.stdout + proc.stderr)

    return train


def test_learns(pretrain, tmp_path):
    real = pretrain(tmp_path)
    # 50 held-out images per subject: chance top-5 is 10%; twice chance
    # from brains as noisy as NSD's
    assert real['chance_top5'] == pytest.approx(10.)
    assert real['i2b_top5'] > 20 and real['b2i_top5'] > 20, real
    assert osp.exists(tmp_path / 'backbone.pth')
    # mmengine's scalar log holds both losses and the temperature
    keys = set(read_scalars(str(tmp_path))[-1])
    assert {'loss_contrastive', 'loss_guidance', 'temperature'} <= keys


def test_shuffled_control_stays_at_chance(pretrain, tmp_path):
    """The same training with the responses shuffled across images (a
    test of its own, so that the two trainings can run at once)."""
    shuffled = pretrain(tmp_path,
                        'train_dataloader.dataset.shuffle_responses=0')
    assert shuffled['chance_top5'] == pytest.approx(10.)
    assert shuffled['i2b_top5'] < 20 and shuffled['b2i_top5'] < 20, shuffled


def test_two_cpu_processes_share_the_global_batch(demo_root, tmp_path,
                                                  run_tool, demo_config,
                                                  free_port):
    proc = run_tool(
        ['bash', 'tools/dist_train.sh', demo_config, '2'] +
        options(demo_root, 'train_cfg.max_epochs=1',
                'train_cfg.val_interval=1'),
        tmp_path,
        PYTHON=sys.executable,
        PORT=str(free_port))
    log = proc.stdout + proc.stderr
    # batch 16 per process; the contrastive loss ranks against both
    assert 'global_batch: 32.0000' in log
    assert 'retrieval/i2b_top5' in log


def test_split_smaller_than_one_batch_says_so(run_tool, demo_config,
                                              small_demo_nsd, tmp_path):
    proc = run_tool(
        [sys.executable, 'tools/train.py', demo_config, '--cfg-options',
         f'train_dataloader.dataset.data_root={small_demo_nsd}',
         'train_dataloader.dataset.subjects=[1]',
         'train_dataloader.batch_size=64'], tmp_path, check=False)
    assert proc.returncode != 0
    assert ('the train split (NSDBrainDataset) has 60 samples, fewer than '
            'one batch of 64 per process x 1 process(es) with '
            'drop_last=True') in proc.stderr, proc.stderr[-2000:]
