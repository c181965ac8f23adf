"""The demo NSD: real layout, deterministic, COCO-readable, learnable."""
import json
import os
import os.path as osp
from dataclasses import replace

import cv2
import h5py
import numpy as np
import pytest
from pycocotools.coco import COCO

from mmbrain.datasets.nsd import (layout, load_expdesign, load_roi_voxels,
                                  load_stim_info, prepare_subject)
from mmbrain.datasets.demo import DemoSpec, make_demo_nsd

SPEC = DemoSpec(seed=3, num_subjects=2, num_own=60)


@pytest.fixture(scope='module')
def demo_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('demo'))
    make_demo_nsd(root, SPEC)
    return root


def test_deterministic_in_the_seed(demo_root, tmp_path):
    make_demo_nsd(str(tmp_path), SPEC)
    for rel in (layout.betas_path('', 2, 3), layout.stimuli_path('')):
        with h5py.File(osp.join(demo_root, rel), 'r') as a, h5py.File(
                osp.join(tmp_path, rel), 'r') as b:
            key = 'betas' if 'betas' in a else 'imgBrick'
            np.testing.assert_array_equal(a[key][()], b[key][()])
    other = tmp_path / 'other'
    make_demo_nsd(str(other), DemoSpec(seed=4, num_subjects=2, num_own=60))
    with h5py.File(layout.stimuli_path(demo_root), 'r') as a, h5py.File(
            layout.stimuli_path(str(other)), 'r') as b:
        assert not np.array_equal(a['imgBrick'][()], b['imgBrick'][()])


def test_readable_by_the_raw_readers(demo_root):
    design = load_expdesign(layout.expdesign_path(demo_root))
    stim = load_stim_info(layout.stim_info_path(demo_root))
    trials = design.trial_nsd_ids(1)
    assert len(trials) == SPEC.sessions * SPEC.trials_per_session
    # each image the subject saw is repeated `repeats` times
    assert set(np.unique(trials, return_counts=True)[1]) == {SPEC.repeats}
    shared = np.intersect1d(trials, design.trial_nsd_ids(2))
    assert shared.tolist() == list(range(SPEC.num_shared))
    assert stim.shared1000[shared].all()
    assert stim.shared1000.sum() == SPEC.num_shared
    for roi in layout.ROI_GROUPS:
        voxels = load_roi_voxels(layout.roi_path(demo_root, 1, roi))
        assert len(voxels.ijk) > 20


def test_coco_json_uses_stim_info_coco_ids(demo_root):
    stim = load_stim_info(layout.stim_info_path(demo_root))
    ids = set()
    for split in ('train2017', 'val2017'):
        coco = COCO(
            osp.join(demo_root, 'coco', 'annotations',
                     f'instances_{split}.json'))
        ids |= set(coco.getImgIds())
        for ann in coco.loadAnns(coco.getAnnIds())[:20]:
            mask = coco.annToMask(ann)
            assert abs(mask.sum() - ann['area']) <= 0.25 * ann['area'] + 20
            x, y, w, h = ann['bbox']
            ys, xs = np.nonzero(mask)
            assert xs.min() >= x - 1 and xs.max() <= x + w + 1
        image = coco.loadImgs(coco.getImgIds()[0])[0]
        img = cv2.imread(osp.join(demo_root, 'coco', split,
                                  image['file_name']))
        assert img.shape == (image['height'], image['width'], 3)
    # every NSD image, and the downstream ones that NSD never shows
    nsd_ids = set(stim.coco_id.tolist())
    assert nsd_ids <= ids
    assert len(ids - nsd_ids) == SPEC.num_downstream


def test_regenerating_leaves_no_stale_ade20k_files(tmp_path):
    spec = DemoSpec(num_subjects=1, num_shared=5, num_own=10, num_unseen=5)
    make_demo_nsd(str(tmp_path), replace(spec, num_downstream=20))
    summary = make_demo_nsd(str(tmp_path),
                            replace(spec, num_downstream=8))
    for split, count in summary['ade20k'].items():
        for folder in ('images', 'annotations'):
            assert len(os.listdir(tmp_path / 'ade20k' / folder /
                                  split)) == count
    assert sum(summary['ade20k'].values()) == 8


def test_ade20k_label_maps_match_the_drawn_scenes(demo_root):
    """ADE20K png values are 1 + mmseg's class index; each map's regions
    are where the image shows them."""
    from mmseg.datasets import ADE20KDataset
    classes = ADE20KDataset.METAINFO['classes']
    sky, earth = classes.index('sky') + 1, classes.index('earth') + 1
    drawn = {classes.index(c) + 1 for c in
             ('person', 'clock', 'signboard', 'car')}
    counts = {}
    for split, tag in (('training', 'train'), ('validation', 'val')):
        names = sorted(os.listdir(osp.join(demo_root, 'ade20k', 'images',
                                           split)))
        counts[split] = len(names)
        assert names[0] == f'ADE_{tag}_00000001.jpg'
        for name in names[:10]:
            img = cv2.imread(osp.join(demo_root, 'ade20k', 'images', split,
                                      name))
            seg = cv2.imread(osp.join(demo_root, 'ade20k', 'annotations',
                                      split, name[:-4] + '.png'),
                             cv2.IMREAD_UNCHANGED)
            assert seg.shape == img.shape[:2] and seg.dtype == np.uint8
            values = set(np.unique(seg).tolist())
            assert {sky, earth} <= values and values - {sky, earth} <= drawn
            # sky on top, earth at the bottom row
            assert seg[0, 0] in (sky, *drawn) and seg[-1, 0] in (earth,
                                                                 *drawn)
            # the regions differ in colour: sky and earth mean colours
            # are apart
            assert np.abs(img[seg == sky].mean(0) -
                          img[seg == earth].mean(0)).max() > 1
    assert sum(counts.values()) == SPEC.num_downstream


def test_responses_are_learnable_from_pixels(demo_root, tmp_path):
    """A ridge readout of 8x8 pixels predicts held-out images' responses."""
    prepare_subject(demo_root, 1, str(tmp_path), progress=False,
                    allow_partial=True)
    with h5py.File(osp.join(tmp_path, 'subj01.h5'), 'r') as f, h5py.File(
            layout.stimuli_path(demo_root), 'r') as s:
        ids, test = f['nsd_ids'][()], f['shared1000'][()]
        x = np.stack([
            cv2.resize(s['imgBrick'][i], (8, 8),
                       interpolation=cv2.INTER_AREA).ravel() / 255.
            for i in ids
        ])
        scores = {}
        for roi in ('prf-visualrois', 'floc-places'):
            y = f[f'rois/{roi}/responses'][()]
            mu, ymu = x[~test].mean(0), y[~test].mean(0)
            xc = x[~test] - mu
            w = np.linalg.solve(xc.T @ xc + 10 * np.eye(x.shape[1]),
                                xc.T @ (y[~test] - ymu))
            pred = (x[test] - mu) @ w + ymu
            scores[roi] = np.mean([
                np.corrcoef(pred[:, v], y[test][:, v])[0, 1]
                for v in range(y.shape[1])
            ])
    # NSD's noise: the median noise ceilings (r, three trials) are 0.57 in
    # prf-visualrois and 0.41 in floc-places (ncsnr 0.40 and 0.26), and a
    # third of the places voxels are below ncsnr 0.2; measured 0.24 and
    # 0.20 over the 50 test images, against -0.03 to 0.12 with the images
    # shuffled (5 shuffles; the voxels' errors are correlated)
    assert scores['floc-places'] > 0.15, scores
    assert scores['prf-visualrois'] > 0.15, scores


def test_summary_written(demo_root):
    with open(osp.join(demo_root, 'demo_summary.json')) as f:
        summary = json.load(f)
    assert summary['spec']['seed'] == 3
    from mmbrain.datasets.demo import generator_version
    assert summary['generator'] == generator_version()
    assert set(summary['subjects']) == {'1', '2'}


def test_the_oracle_pipeline_serves_the_scene_features(small_demo_nsd):
    """scene_features.h5 holds each image's generator features, standardised
    over the images, as target vectors, and LoadTargetVectors (as the
    oracle config has it) gives a sample its image's row per ROI group."""
    from mmbrain.datasets import NSDBrainDataset
    from mmbrain.datasets.demo import scene_features
    from mmbrain.datasets.demo.features_file import FEATURES_FILE
    from mmbrain.datasets.demo.scenes import draw_scenes
    from mmbrain.datasets.nsd import TargetVectors

    brick = layout.stimuli_path(small_demo_nsd)
    with h5py.File(osp.join(osp.dirname(brick), FEATURES_FILE), 'r') as f:
        stored = {roi: f[roi][()] for roi in f}
    assert sorted(stored) == sorted(layout.ROI_GROUPS)
    spec = DemoSpec(num_subjects=1, num_shared=10, num_own=60, num_unseen=2)
    images, scenes = draw_scenes(np.random.default_rng(spec.seed),
                                 spec.num_images, spec.image_size)
    for roi in layout.ROI_GROUPS:
        raw = np.stack([scene_features(i, s)[roi]
                        for i, s in zip(images, scenes)])
        assert stored[roi].dtype == np.float32
        np.testing.assert_allclose(
            stored[roi], (raw - raw.mean(0)) / (raw.std(0) + 1e-6),
            rtol=1e-5, atol=1e-5)
    targets = TargetVectors(osp.join(osp.dirname(brick), FEATURES_FILE))
    np.testing.assert_array_equal(targets.row(7, 'streams'),
                                  stored['streams'][7])
    dataset = NSDBrainDataset(
        data_root=small_demo_nsd, subjects=[1],
        pipeline=[dict(type='LoadNSDImage'), dict(type='LoadBrainResponses'),
                  dict(type='LoadTargetVectors', file=FEATURES_FILE),
                  dict(type='PackBrainInputs')])
    sample = dataset[0]['data_samples']
    assert [len(f) for f in sample.features] == [64, 4, 4, 7, 4, 7]
    for roi, f in zip(dataset.rois, sample.features):
        np.testing.assert_array_equal(f, stored[roi][sample.nsd_id])


@pytest.fixture(scope='module')
def default_demo_root(tmp_path_factory):
    """The default demo's NSD part (3 subjects of 300 images, seed 0), with
    few downstream scenes."""
    root = str(tmp_path_factory.mktemp('default_demo'))
    make_demo_nsd(root, DemoSpec(num_downstream=4))
    return root


def test_ncsnr_measured_from_the_betas_is_nsds(default_demo_root):
    """NSD's ncsnr, estimated from the single-trial betas as NSD does it
    (z-scored per session), agrees with the ncsnr file and the summary, and
    each group's, pooled over the 3 subjects, has NSD's median and share of
    voxels below 0.2 (:mod:`~mmbrain.datasets.nsd.published_ncsnr`).

    Tolerances: 3 standard errors of a sample of n independent voxels (n =
    1596 pooled floc voxels to 4453 nsdgeneral ones). The median of a
    lognormal with log-sd s has a log standard error of 1.25 s / sqrt(n)
    (s = 0.66: 0.012-0.021); the share below 0.2 the binomial one,
    sqrt(p (1 - p) / n) (0.6-1.2 points), plus 2 points for the estimator's
    bias with 300 images x 3 repeats (simulated: the estimate moves the
    share below 0.2 by up to 2 points from the true values)."""
    import nibabel as nib

    from mmbrain.datasets.nsd.published_ncsnr import LOW_NCSNR, NSD_NCSNR
    from mmbrain.testing.ncsnr import measure_ncsnr

    root = default_demo_root
    with open(osp.join(root, 'demo_summary.json')) as f:
        summary = json.load(f)['subjects']
    pooled_floc, measured_by_roi = [], {}
    for roi in layout.ROI_GROUPS + ('nsdgeneral', ):
        measured, stated = [], []
        for subject in (1, 2, 3):
            voxels = load_roi_voxels(layout.roi_path(root, subject, roi))
            written = np.asarray(
                nib.load(layout.ncsnr_path(root, subject)).dataobj)
            values = written[tuple(voxels.ijk.T)]
            stated.append(values[values > 0])  # the dead voxels have none
            measured.append(measure_ncsnr(root, subject, roi))
            assert len(measured[-1]) == len(stated[-1])
            if roi != 'nsdgeneral':
                assert abs(summary[str(subject)]['median_ncsnr'][roi] -
                           np.median(stated[-1])) < 0.01
        measured, stated = np.concatenate(measured), np.concatenate(stated)
        measured_by_roi[roi] = measured
        median = np.median(measured)
        assert abs(median - np.median(stated)) < 0.03, (roi, median)
        if roi.startswith('floc-'):
            pooled_floc.append(measured)
        else:
            check_against_nsd(roi, measured, NSD_NCSNR[roi], LOW_NCSNR)
    check_against_nsd('floc', np.concatenate(pooled_floc),
                      NSD_NCSNR['floc-faces'], LOW_NCSNR)
    # NSD's long tail: voxels with next to no signal (the earlier demo's
    # nsdgeneral had 0.2% below 0.2, none below 0.1)
    assert np.mean(measured_by_roi['nsdgeneral'] < 0.1) > 0.05


def test_ncsnr_table_sets_the_demo_beside_nsd(default_demo_root):
    """The docs' table: a row per group and nsdgeneral, each measured
    figure followed by NSD's in parentheses."""
    from mmbrain.datasets.nsd.published_ncsnr import NSD_NCSNR
    from mmbrain.testing.ncsnr import measure_ncsnr, ncsnr_table
    rows = ncsnr_table(default_demo_root, [2]).splitlines()
    assert len(rows) == 2 + len(layout.ROI_GROUPS) + 1
    cells = rows[-1].strip('|').split('|')
    assert cells[0].strip() == 'nsdgeneral'
    measured = measure_ncsnr(default_demo_root, 2, 'nsdgeneral')
    assert int(cells[1]) == len(measured)
    assert cells[2].strip() == (f'{np.median(measured):.2f} '
                                f'({NSD_NCSNR["nsdgeneral"].median:.2f})')


def check_against_nsd(name, ncsnr, target, low, log_sd=0.66):
    """``ncsnr``'s median and share below ``low`` within 3 standard errors
    (see above) of NSD's ``target``."""
    n = len(ncsnr)
    median = np.median(ncsnr)
    assert abs(np.log(median / target.median)) < 3 * 1.25 * log_sd / np.sqrt(
        n), (name, median, target.median)
    below = np.mean(ncsnr < low)
    tolerance = 3 * np.sqrt(target.below * (1 - target.below) / n) + 0.02
    assert abs(below - target.below) < tolerance, (name, below,
                                                   target.below)


def test_the_generator_version_follows_its_code_not_its_prose(tmp_path,
                                                              monkeypatch):
    import shutil

    import mmbrain.datasets.demo.make as make
    from mmbrain.datasets.demo import generator_version
    demo = osp.dirname(make.__file__)
    copy = tmp_path / 'datasets'
    shutil.copytree(osp.dirname(demo), copy)
    monkeypatch.setattr(make, '__file__', str(copy / 'demo' / 'make.py'))
    before = generator_version()
    scenes = copy / 'demo' / 'scenes.py'
    text = scenes.read_text()
    scenes.write_text(text.replace('"""Synthetic scenes', '"""Scenes', 1)
                      + '\n# a comment\n')
    assert generator_version() == before
    scenes.write_text(text.replace('rng.uniform(0.3, 0.7)',
                                   'rng.uniform(0.3, 0.6)'))
    assert generator_version() != before
