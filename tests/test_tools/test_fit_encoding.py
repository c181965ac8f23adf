"""fit_encoding.py on the demo data: random vs a loaded backbone, with the
noise-normalized score from the demo's ncsnr."""
import json
import os
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

    def run(config, work_dir, *extra, options=()):
        out = work_dir / 'metrics.json'
        options = [
            f'{split}_dataloader.dataset.{key}={value}'
            for split in ('train', 'test')
            for key, value in (('data_root', demo_root), ('subjects', '[1]'))
        ] + list(options)
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
                          '--out-dir', str(maps),
                          options=['test_evaluator.areas=True'])
    rois = ('prf-visualrois', 'floc-bodies', 'floc-faces', 'floc-places',
            'floc-words', 'streams')
    # the demo's groups have three areas each, named as NSD's tables
    areas = {'prf-visualrois': ('V1d', 'V1v', 'V2v'),
             'floc-bodies': ('EBA', 'FBA-1', 'FBA-2'),
             'floc-faces': ('FFA-1', 'FFA-2', 'OFA'),
             'floc-places': ('OPA', 'PPA', 'RSC'),
             'floc-words': ('OWFA', 'VWFA-1', 'VWFA-2'),
             'streams': ('early', 'midlateral', 'midventral')}
    assert set(metrics) == {'pcc/mean_r', 'pcc/roi_median_r',
                            'pcc/noise_normalized'} | {
                                f'pcc/median_r/{r}' for r in rois} | {
                                    f'pcc/median_r/{r}/{a}'
                                    for r in rois for a in areas[r]}
    t1 = osp.join(demo_root, 'nsddata', 'ppdata', 'subj01', 'func1pt8mm',
                  'T1_to_func1pt8mm.nii.gz')
    assert f'anatomy under the map: {t1}' in stdout
    # the demo's places voxels follow the horizon: even random features
    # predict them (0.25 here; a perfect readout of these noisy voxels, as
    # noisy as NSD's, reaches about 0.41)
    assert metrics['pcc/median_r/floc-places'] > 0.2
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
            # per area, by hand from the map and the voxels' labels
            names = cache.areas(roi)
            for area in areas[roi]:
                index = tuple(cache.ijk(roi)[names == area].T)
                assert np.median(r[index]) == pytest.approx(
                    metrics[f'pcc/median_r/{roi}/{area}'], abs=1e-6)
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


def write_algonauts(demo_root, root, test_ids):
    """The demo subject in the Algonauts 2023 layout: every image of its
    cache as a training image with the prf-visualrois responses, the first
    half of the voxels as the left hemisphere's vertices, and ``test_ids``
    as the test images, in that order."""
    import cv2

    from mmbrain.datasets.nsd import NSDStimuli, layout
    subj = osp.join(root, 'subj01')
    with BrainCache(osp.join(demo_root, 'prepared', 'subj01.h5')) as cache:
        nsd_ids = cache.nsd_ids
        fmri = cache.responses('prf-visualrois')
        coords = cache.coords('prf-visualrois')
    brick = NSDStimuli(layout.stimuli_path(demo_root))
    half = fmri.shape[1] // 2
    for split, ids, name in (('training', nsd_ids, 'train'),
                             ('test', test_ids, 'test')):
        folder = osp.join(subj, f'{split}_split', f'{split}_images')
        os.makedirs(folder)
        for n, nsd_id in enumerate(ids):
            cv2.imwrite(osp.join(folder, f'{name}-{n + 1:04d}_nsd-'
                                 f'{nsd_id:05d}.png'),
                        cv2.cvtColor(brick[int(nsd_id)], cv2.COLOR_RGB2BGR))
    os.makedirs(osp.join(subj, 'training_split', 'training_fmri'))
    os.makedirs(osp.join(root, 'coords'))
    for hemi, part in (('lh', slice(0, half)), ('rh', slice(half, None))):
        np.save(osp.join(subj, 'training_split', 'training_fmri',
                         f'{hemi}_training_fmri.npy'), fmri[:, part])
        np.save(osp.join(root, 'coords', f'subj01_{hemi}.npy'),
                coords[part])
    return half, fmri.shape[1] - half


def test_algonauts_submission(run_tool, demo_root, tmp_path, repo_root):
    """The readout fitted on the training split predicts the test images:
    one float32 file per hemisphere, a row per test image in the test
    split's order, equal to its predictions of the same images where they
    are among the training images."""
    from mmbrain.datasets.nsd import layout
    from mmbrain.datasets.nsd.algonauts import convert_algonauts_subject
    from mmbrain.apis import fit_readout
    from mmbrain.utils import load_tool_config
    root = str(tmp_path / 'algonauts')
    with BrainCache(osp.join(demo_root, 'prepared', 'subj01.h5')) as cache:
        shared = cache.nsd_ids[cache.shared1000]
    test_ids = [int(shared[7]), int(shared[2]), int(shared[30])]
    vertices = write_algonauts(demo_root, root, test_ids)
    convert_algonauts_subject(
        osp.join(root, 'subj01'), 1, osp.join(root, 'prepared'),
        {h: osp.join(root, 'coords', f'subj01_{h}.npy') for h in ('lh', 'rh')},
        rois=['all-vertices'], stim_info=layout.stim_info_path(demo_root))
    options = [
        f'{split}_dataloader.dataset.{key}={value}'
        for split in ('train', 'test')
        for key, value in (('data_root', root), ('subjects', '[1]'),
                           ('rois', '[all-vertices]'))
    ]
    config = osp.join(CONFIGS, 'ridge_convnext_demo_random.py')
    out = tmp_path / 'submission'
    proc = run_tool([
        sys.executable, 'tools/analysis_tools/fit_encoding.py', config,
        '--out', str(tmp_path / 'metrics.json'), '--algonauts-submission',
        str(out), '--cfg-options', *options
    ], tmp_path)
    assert 'lh predictions of 3 test images written to' in proc.stdout
    files = {h: np.load(out / 'subj01' / f'{h}_pred_test.npy')
             for h in ('lh', 'rh')}
    assert {h: f.shape for h, f in files.items()} == {
        'lh': (3, vertices[0]), 'rh': (3, vertices[1])}
    assert all(f.dtype == np.float32 for f in files.values())

    # the same readout in this process: its test-split predictions of the
    # three images, in the test images' order
    cfg = load_tool_config(osp.join(repo_root, config),
                           work_dir=str(tmp_path / 'inproc'))
    for split in ('train', 'test'):
        cfg[f'{split}_dataloader'].dataset.update(
            data_root=root, subjects=[1], rois=['all-vertices'])
    fit = fit_readout(cfg)
    test_rows = {int(n): i for i, n in enumerate(
        fit.test_set.get_data_info(i)['nsd_id']
        for i in range(len(fit.test_set)))}
    expected = fit.predictions[0][[test_rows[n] for n in test_ids]].numpy()
    np.testing.assert_allclose(
        np.concatenate([files['lh'], files['rh']], 1), expected, atol=1e-4)
