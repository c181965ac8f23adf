"""fit_encoding.py on the demo data: random vs a loaded backbone, with the
noise-normalized score from the demo's ncsnr."""
import json
import os.path as osp
import sys

import matplotlib.image as mpimg
import nibabel as nib
import numpy as np
import pytest
import torch
from mmengine.config import Config

from mmbrain.datasets.nsd import BrainCache, prepare_subject
from mmbrain.datasets.demo import DemoSpec, make_demo_nsd
from mmbrain.engine.hooks import backbone_checkpoint
from mmbrain.registry import MODELS
from mmbrain.utils import register_all_modules

CONFIGS = osp.join('configs', 'encoding', 'demo')  # from the repo's root


@pytest.fixture(scope='module')
def demo_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('demo_nsd'))
    make_demo_nsd(root, DemoSpec(seed=2, num_subjects=1, num_own=100))
    prepare_subject(root, 1, osp.join(root, 'prepared'), progress=False,
                    allow_partial=True)
    return root


@pytest.fixture
def fit(run_tool, demo_root):
    """``fit(config, work_dir, *cfg_options)`` runs fit_encoding.py with a
    demo config on the demo data: its metrics and stdout."""

    def run(config, work_dir, *extra):
        out = work_dir / 'metrics.json'
        options = [
            f'{split}_dataloader.dataset.{key}={value}'
            for split in ('train', 'test')
            for key, value in (('data_root', demo_root), ('subjects', '[1]'))
        ]
        proc = run_tool([
            sys.executable, 'tools/analysis_tools/fit_encoding.py',
            osp.join(CONFIGS, config), '--out',
            str(out), '--cfg-options', *options, *extra
        ], work_dir)
        return json.loads(out.read_text()), proc.stdout

    return run


def test_random_backbone_scores(fit, tmp_path, demo_root):
    maps = tmp_path / 'maps'
    metrics, stdout = fit('ridge_convnext_demo_random.py', tmp_path,
                          '--out-dir', str(maps))
    rois = ('prf-visualrois', 'floc-bodies', 'floc-faces', 'floc-places',
            'floc-words', 'streams')
    assert set(metrics) == {'pcc/mean_r', 'pcc/roi_median_r',
                            'pcc/noise_normalized'} | {
                                f'pcc/median_r/{r}' for r in rois}
    # the demo's places voxels follow the horizon: even random features
    # predict them
    assert metrics['pcc/median_r/floc-places'] > 0.5
    assert 0 < metrics['pcc/noise_normalized'] <= 100
    assert '100 train / 50 test images' in stdout

    # the brain map: r in the subject's volume, at each ROI's voxels
    with BrainCache(osp.join(demo_root, 'prepared', 'subj01.h5')) as cache:
        img = nib.load(maps / 'brain_r.nii.gz')
        np.testing.assert_allclose(img.affine, cache.affine)
        r = np.asarray(img.dataobj)
        assert r.shape == cache.volume_shape
        inside = np.zeros(r.shape, bool)
        for roi in rois:
            ijk = tuple(cache.ijk(roi).T)
            inside[ijk] = True
            assert np.median(r[ijk]) == pytest.approx(
                metrics[f'pcc/median_r/{roi}'], abs=1e-6)
        assert np.isfinite(r[inside]).all() and np.isnan(r[~inside]).all()
    assert (maps / 'brain_noise_normalized.nii.gz').exists()
    assert mpimg.imread(maps / 'brain_map.png').std() > 0.01


def test_random_backbone_is_seeded(fit, tmp_path):
    """The random-init baseline is one network per seed."""
    runs = [
        fit('ridge_convnext_demo_random.py', tmp_path / str(n),
            f'randomness.seed={seed}')[0]
        for n, seed in enumerate((0, 0, 1))
    ]
    assert runs[0] == runs[1]
    assert runs[0]['pcc/mean_r'] != runs[2]['pcc/mean_r']


def test_loads_the_exported_backbone(fit, tmp_path, repo_root):
    register_all_modules()
    cfg = Config.fromfile(
        osp.join(repo_root, CONFIGS, 'ridge_convnext_demo_random.py'))
    torch.manual_seed(1)
    backbone = MODELS.build(cfg.model.backbone)
    path = tmp_path / 'backbone.pth'
    torch.save(
        backbone_checkpoint({
            f'backbone.{k}': v
            for k, v in backbone.state_dict().items()
        }), path)
    _, stdout = fit('ridge_convnext_demo_brain.py', tmp_path,
                    f'model.backbone.init_cfg.checkpoint={path}')
    assert 'pcc/roi_median_r' in stdout
