"""MindEye2's preprocessed release as a source of the cache: the demo's raw
NSD written in the release's format, prepared by both routes, agrees voxel
for voxel and image for image; bad release files are refused in one line."""
import os.path as osp
import shutil

import h5py
import nibabel as nib
import numpy as np
import pytest

from mmbrain.datasets.demo import DemoSpec
from mmbrain.datasets.demo.mindeye2 import (release_betas,
                                            write_release_betas,
                                            write_release_images,
                                            write_release_webdataset)
from mmbrain.datasets.nsd import BrainCache, NSDFormatError, layout
from mmbrain.datasets.nsd.mindeye2 import BETAS_FILE, IMAGES_FILE
from mmbrain.datasets.nsd.prepare import prepare_subject
from mmbrain.datasets.nsd.rois import load_roi_voxels
from mmbrain.datasets.nsd.stimuli import NSDStimuli

ROIS = layout.ROI_GROUPS + ('nsdgeneral', )
# the trials of a session of raw_demo_nsd (conftest)
TRIALS = DemoSpec(num_subjects=1, num_downstream=4).trials_per_session
OUTSIDE = 10  # prf-visualrois voxels taken out of nsdgeneral


@pytest.fixture(scope='module')
def two_routes(raw_demo_nsd, tmp_path_factory):
    """A copy of the demo's raw NSD with 10 prf-visualrois voxels taken out
    of nsdgeneral and voxel 0 of nsdgeneral constant in session 2, its
    MindEye2 release (betas, images and webdataset), and subject 1
    prepared from each: ``(root, release dir, raw cache, MindEye2 cache,
    its report)``."""
    base = tmp_path_factory.mktemp('mindeye2')
    root = str(base / 'nsd')
    shutil.copytree(raw_demo_nsd, root)
    mask = layout.require_mask(root, 1, 'nsdgeneral')
    image = nib.load(mask)
    general = np.asarray(image.dataobj).copy()
    prf = load_roi_voxels(layout.require_mask(root, 1, 'prf-visualrois'))
    general[tuple(prf.ijk[:OUTSIDE].T)] = 0
    nib.save(nib.Nifti1Image(general, image.affine, image.header), mask)
    ijk = release_ijk(root)
    with h5py.File(layout.betas_path(root, 1, 2), 'r+') as f:
        i, j, k = ijk[0]
        f['betas'][:, k, j, i] = 42
    release = str(base / 'mindeye2')
    write_release_betas(root, release, 1)
    write_release_images(root, release)
    write_release_webdataset(root, release, 1)
    kwargs = dict(rois=ROIS, progress=False, allow_partial=True)
    prepare_subject(root, 1, str(base / 'raw'), **kwargs)
    report = prepare_subject(root, 1, str(base / 'me2'), mindeye2_dir=release,
                             trials_per_session=TRIALS, **kwargs)
    return (root, release, str(base / 'raw' / 'subj01.h5'),
            str(base / 'me2' / 'subj01.h5'), report)


def release_ijk(root):
    return load_roi_voxels(layout.require_mask(root, 1, 'nsdgeneral')).ijk


def test_the_release_follows_the_recipe(two_routes):
    root, release, *_ = two_routes
    with h5py.File(osp.join(release, BETAS_FILE.format(1)), 'r') as f:
        betas = f['betas'][()]
    assert betas.dtype == np.float32
    assert betas.shape == (3 * TRIALS, len(release_ijk(root)))
    made = release_betas(root, 1)
    pooled = betas[~made['shared']]
    # z-scored over the non-shared trials pooled (NaN where a voxel is
    # constant over them all: not voxel 0, constant in one session only)
    finite = np.isfinite(betas).all(0)
    assert finite[0] and finite.mean() > 0.9
    np.testing.assert_allclose(pooled[:, finite].mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(pooled[:, finite].std(0, ddof=1), 1,
                               atol=1e-5)


def test_both_routes_agree_voxel_for_voxel(two_routes):
    _, _, raw_path, me2_path, report = two_routes
    assert report['betas'].endswith(BETAS_FILE.format(1))
    with BrainCache(raw_path) as raw, BrainCache(me2_path) as me2:
        np.testing.assert_array_equal(raw.nsd_ids, me2.nsd_ids)
        np.testing.assert_array_equal(raw.num_repeats, me2.num_repeats)
        for roi in ROIS:
            raw_ijk, me2_ijk = raw.ijk(roi), me2.ijk(roi)
            # MindEye2 holds nsdgeneral's voxels only: the others are gone
            inside = (raw_ijk[:, None] == me2_ijk[None]).all(2).any(1)
            assert inside.sum() == len(me2_ijk)
            np.testing.assert_array_equal(raw_ijk[inside], me2_ijk)
            np.testing.assert_array_equal(raw.coords(roi)[inside],
                                          me2.coords(roi))
            difference = np.abs(raw.responses(roi)[:, inside] -
                                me2.responses(roi)).max()
            assert difference < 1e-5, (roi, difference)
            np.testing.assert_allclose(raw.halves(roi)[..., inside],
                                       me2.halves(roi), atol=1e-5)
            rois = report['rois'][roi]
            # ROI voxels outside nsdgeneral: kept by the raw route, or
            # dropped there as constant
            assert rois['outside_nsdgeneral'] == (~inside).sum() + (
                raw.report['rois'][roi]['dropped'] - rois['dropped'])
        # the voxels constant in a session (NaN in the release where over
        # all its pooled trials), voxel 0 among them: dropped by both and
        # counted alike
        dropped = report['rois']['nsdgeneral']['dropped']
        assert dropped == raw.report['rois']['nsdgeneral']['dropped'] >= 1
        first = release_ijk(two_routes[0])[0]
        assert not (me2.ijk('nsdgeneral') == first).all(1).any()
        assert report['rois']['nsdgeneral']['outside_nsdgeneral'] == 0
        assert report['rois']['prf-visualrois']['outside_nsdgeneral'] == \
            OUTSIDE


def test_the_wrong_voxel_order_is_caught(two_routes, tmp_path):
    """Columns in C order over the hdf5 betas' (Z, Y, X): same shape, other
    voxels; the comparison above fails on them."""
    root, _, raw_path, *_ = two_routes
    release = str(tmp_path / 'zyx')
    write_release_betas(root, release, 1, order='zyx')
    prepare_subject(root, 1, str(tmp_path / 'p'), rois=['nsdgeneral'],
                    progress=False, allow_partial=True, mindeye2_dir=release,
                    trials_per_session=TRIALS)
    with BrainCache(raw_path) as raw, BrainCache(
            str(tmp_path / 'p' / 'subj01.h5')) as zyx:
        assert raw.responses('nsdgeneral').shape[1] == zyx.responses(
            'nsdgeneral').shape[1]
        assert np.abs(raw.responses('nsdgeneral') -
                      zyx.responses('nsdgeneral')).max() > 1


def test_images_read_as_uint8_at_224(two_routes):
    root, release, *_ = two_routes
    brick = NSDStimuli(osp.join(release, IMAGES_FILE))
    original = NSDStimuli(layout.stimuli_path(root))
    assert len(brick) == len(original)
    image = brick[3]
    assert image.shape == (224, 224, 3) and image.dtype == np.uint8
    # the resized image's mean intensity is the original's
    assert abs(image.mean() - original[3].mean()) < 2


def refusal(two_routes, tmp_path, edit):
    """The one-line error of preparing from a release changed by ``edit``
    (a function of the release folder)."""
    root, release, *_ = two_routes
    changed = str(tmp_path / 'release')
    shutil.copytree(release, changed)
    edit(changed)
    with pytest.raises(NSDFormatError) as error:
        prepare_subject(root, 1, str(tmp_path / 'out'), rois=['nsdgeneral'],
                        progress=False, allow_partial=True,
                        mindeye2_dir=changed, trials_per_session=TRIALS)
    assert '\n' not in str(error.value)
    assert not osp.exists(tmp_path / 'out' / 'subj01.h5')
    return str(error.value)


def rewrite_betas(betas):
    def edit(folder):
        with h5py.File(osp.join(folder, BETAS_FILE.format(1)), 'w') as f:
            f['betas'] = betas
    return edit


def test_other_column_count_is_refused(two_routes, tmp_path):
    root = two_routes[0]
    voxels = len(release_ijk(root))
    message = refusal(two_routes, tmp_path, rewrite_betas(
        np.zeros((3 * TRIALS, voxels - 1), np.float32)))
    assert (f'{BETAS_FILE.format(1)}: {voxels - 1} columns, but ' in message
            and f'nsdgeneral.nii.gz has {voxels} voxels equal to 1'
            in message)


def test_rows_that_are_not_whole_sessions_are_refused(two_routes, tmp_path):
    voxels = len(release_ijk(two_routes[0]))
    message = refusal(two_routes, tmp_path, rewrite_betas(
        np.zeros((3 * TRIALS - 1, voxels), np.float32)))
    assert f'{3 * TRIALS - 1} rows are not {TRIALS} trials x' in message


def test_a_missing_key_is_refused(two_routes, tmp_path):
    def edit(folder):
        with h5py.File(osp.join(folder, BETAS_FILE.format(1)), 'r+') as f:
            f.move('betas', 'data')
    assert "dataset 'betas' is missing" in refusal(two_routes, tmp_path,
                                                   edit)


def test_a_withdrawn_release_is_refused(two_routes, tmp_path):
    def edit(folder):
        shutil.move(osp.join(folder, BETAS_FILE.format(1)),
                    osp.join(folder, 'betas_all_subj01.hdf5'))
    message = refusal(two_routes, tmp_path, edit)
    assert message.endswith('betas_all_subj01.hdf5: a withdrawn MindEye2 '
                            'release (not renormalised); mmbrain reads '
                            'betas_all_subj01_fp32_renorm.hdf5, the fp32 '
                            'renorm release, in its place')


def test_a_webdataset_that_disagrees_is_refused(two_routes, tmp_path):
    def edit(folder):
        # the design as another subject's: every image differs
        root = two_routes[0]
        other = str(tmp_path / 'other_root')
        shutil.copytree(root, other)
        shutil.rmtree(osp.join(folder, 'wds'))
        from mmbrain.datasets.nsd.expdesign import load_expdesign
        from mmbrain.datasets.nsd.raw_writer import write_expdesign
        design = load_expdesign(layout.expdesign_path(root))
        write_expdesign(other, design.masterordering[::-1],
                        design.subjectim, design.sharedix)
        write_release_webdataset(other, folder, 1)
    message = refusal(two_routes, tmp_path, edit)
    assert 'subj01: ' in message and ('behav.npy rows disagree with the '
                                      'experiment design (row ') in message


def test_an_image_file_of_the_wrong_shape_is_refused(tmp_path):
    path = str(tmp_path / IMAGES_FILE)
    with h5py.File(path, 'w') as f:
        f['images'] = np.zeros((2, 3, 96, 96), np.float16)
    with pytest.raises(NSDFormatError, match=r"dataset 'images' must have "
                       r'shape \(any, 3, 224, 224\), got \(2, 3, 96, 96\)'):
        NSDStimuli(path)
