"""raw_writer: NSD's own formats, checked on the files it writes."""
import csv

import h5py
import nibabel as nib
import numpy as np
import pytest
import scipy.io

from mmbrain.datasets.nsd import layout, raw_writer


def test_betas_are_stored_with_the_axes_reversed(tmp_path):
    rng = np.random.default_rng(0)
    first = rng.integers(-900, 900, (2, 3, 4, 5), dtype=np.int16)
    second = rng.integers(-900, 900, (1, 3, 4, 5), dtype=np.int16)
    path = raw_writer.write_betas(str(tmp_path), 2, 7, [first, second])
    assert path == layout.betas_path(str(tmp_path), 2, 7)
    with h5py.File(path, 'r') as f:
        stored = f['betas']
        assert stored.shape == (3, 5, 4, 3) and stored.dtype == np.int16
        assert stored.chunks == (1, 5, 4, 3)
        # trial t, voxel (i, j, k) of the NIfTI volume at [t, k, j, i]
        assert stored[1, 4, 2, 0] == first[1, 0, 2, 4]
        assert stored[2, 0, 3, 2] == second[0, 2, 3, 0]
    with pytest.raises(ValueError, match=r'\(t, X, Y, Z\) int16'):
        raw_writer.write_betas(str(tmp_path), 2, 8, [first.astype(float)])


def test_design_and_stimulus_table_are_one_based_where_nsd_is(tmp_path):
    root = str(tmp_path)
    order = np.array([0, 1, 0, 2, 1, 0, 0])  # column 0 shown 4 times
    subjectim = np.array([[0, 1, 2], [0, 3, 4]])
    raw_writer.write_expdesign(root, order, subjectim, np.array([0]))
    mat = scipy.io.loadmat(layout.expdesign_path(root))
    assert mat['masterordering'].dtype == np.float64
    np.testing.assert_array_equal(mat['masterordering'], [order + 1])
    np.testing.assert_array_equal(mat['subjectim'], subjectim + 1)
    np.testing.assert_array_equal(mat['sharedix'], [[1]])

    reps = raw_writer.repeat_trials(subjectim, order, 6)
    assert reps.shape == (8, 6, 3)
    # nsdId 0 in trials 1, 3, 6, 7 (1-based) of both: the first three
    np.testing.assert_array_equal(reps[:2, 0], [[1, 3, 6], [1, 3, 6]])
    np.testing.assert_array_equal(reps[0, 1], [2, 5, 0])
    np.testing.assert_array_equal(reps[1, 3], [2, 5, 0])
    np.testing.assert_array_equal(reps[1, 2], [0, 0, 0])
    assert not reps[2:].any() and not reps[:, 5].any()  # never shown

    raw_writer.write_stim_info(root, [11, 12, 13, 14, 15, 16],
                               ['train2017'] * 5 + ['val2017'],
                               [True] + [False] * 5, reps)
    with open(layout.stim_info_path(root), newline='') as f:
        rows = list(csv.DictReader(f))
    assert [r['nsdId'] for r in rows] == ['0', '1', '2', '3', '4', '5']
    assert rows[5]['cocoId'] == '16' and rows[5]['cocoSplit'] == 'val2017'
    assert [r['shared1000'] for r in rows] == ['True'] + ['False'] * 5
    assert [rows[3][f'subject{s}'] for s in (1, 2, 3)] == ['0', '1', '0']
    assert [rows[0][f'subject2_rep{r}'] for r in range(3)] == ['1', '3', '6']


def test_volumes_keep_their_affine(tmp_path):
    affine = np.diag([2., 2., 1.5, 1.])  # exact in the header's float32
    affine[:3, 3] = [-80, -100, 4.5]
    labels = {'floc-faces': np.eye(3, dtype=np.int32)[..., None]}
    paths = raw_writer.write_rois(str(tmp_path), 3, labels, affine)
    image = nib.load(paths['floc-faces'])
    np.testing.assert_array_equal(image.affine, affine)
    np.testing.assert_array_equal(image.get_fdata(), labels['floc-faces'])
    path = raw_writer.write_ncsnr(str(tmp_path), 3, np.ones((2, 2, 2)),
                                  affine)
    assert nib.load(path).get_data_dtype() == np.float32
    with pytest.raises(ValueError, match=r'\(N, H, W, 3\) uint8'):
        raw_writer.write_stimuli(str(tmp_path), np.zeros((1, 4, 4, 3)))
