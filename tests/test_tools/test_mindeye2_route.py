"""The demo from MindEye2's files end to end: prepare_nsd.py --mindeye2-dir,
then pretraining and the held-out readout read that cache and the 224 px
images of the release."""
import json
import os.path as osp
import shutil
import sys

from mmbrain.datasets.demo import DemoSpec
from mmbrain.datasets.demo.mindeye2 import (write_release_betas,
                                            write_release_images,
                                            write_release_webdataset)
from mmbrain.datasets.nsd import layout
from mmbrain.datasets.nsd.mindeye2 import IMAGES_FILE

TRIALS = DemoSpec(num_subjects=1, num_downstream=4).trials_per_session


def test_prepare_pretrain_and_read_out(raw_demo_nsd, run_tool, demo_config,
                                       tmp_path):
    root = str(tmp_path / 'nsd')
    # the raw files but the betas: MindEye2's stand in for them
    shutil.copytree(raw_demo_nsd, root)
    release = str(tmp_path / 'mindeye2')
    write_release_betas(root, release, 1)
    write_release_images(root, release)
    write_release_webdataset(root, release, 1)
    shutil.rmtree(layout.betas_dir(root, 1))
    proc = run_tool([
        sys.executable, 'tools/dataset_converters/prepare_nsd.py', root,
        '--subjects', '1', '--allow-partial', '--mindeye2-dir', release,
        '--trials-per-session', str(TRIALS)
    ])
    assert f'betas from {osp.join(release, "betas_all_subj01_fp32_renorm")}'\
        in proc.stdout
    assert 'outside nsdgeneral (not in the betas)' in proc.stdout
    images = osp.join(release, IMAGES_FILE)
    data = [f'{split}_dataloader.dataset.{key}={value}'
            for split in ('train', 'val', 'test')
            for key, value in (('data_root', root), ('subjects', '[1]'),
                               ('stimuli', images))]
    log = run_tool([
        sys.executable, 'tools/train.py', demo_config, '--cfg-options',
        *data, 'train_cfg.max_epochs=1', 'train_cfg.val_interval=1'
    ], tmp_path / 'pretrain')
    assert 'retrieval/i2b_top5' in log.stdout + log.stderr
    assert osp.exists(tmp_path / 'pretrain' / 'backbone.pth')
    out = tmp_path / 'readout.json'
    run_tool([
        sys.executable, 'tools/analysis_tools/fit_encoding.py',
        'configs/encoding/demo/ridge_convnext_demo_brain.py', '--out',
        str(out), '--cfg-options',
        *[d for d in data if not d.startswith('val')],
        f'model.backbone.init_cfg.checkpoint={tmp_path}/pretrain/'
        'backbone.pth'
    ], tmp_path / 'readout')
    metrics = json.loads(out.read_text())
    # the place group follows the horizon and colours, which any backbone
    # sees (test_fit_encoding: above 0.2 from a random one)
    assert metrics['pcc/median_r/floc-places'] > 0.1, metrics
