"""Readers of the raw NSD files, on small files built by hand."""
import h5py
import nibabel as nib
import numpy as np
import pytest
import scipy.io

from mmbrain.datasets.nsd import (NSDFormatError, NSDStimuli,
                                  load_expdesign, load_roi_voxels,
                                  load_stim_info, read_session_betas)


def write_design(path, **overrides):
    fields = dict(
        masterordering=np.array([[3, 1, 2, 3, 1, 2]]),
        subjectim=np.array([[5, 6, 7], [8, 9, 10]]),
        sharedix=np.array([[5]]))
    fields.update(overrides)
    scipy.io.savemat(path, {k: v for k, v in fields.items() if v is not None})
    return str(path)


def test_trial_to_nsd_id(tmp_path):
    design = load_expdesign(write_design(tmp_path / 'd.mat'))
    # subjectim[s-1, masterordering[t]-1] - 1, by hand
    assert design.trial_nsd_ids(1).tolist() == [6, 4, 5, 6, 4, 5]
    assert design.trial_nsd_ids(2).tolist() == [9, 7, 8, 9, 7, 8]
    assert design.sharedix.tolist() == [4]


@pytest.mark.parametrize('overrides,message', [
    (dict(subjectim=None), "'subjectim' is missing"),
    (dict(masterordering=np.array([[0, 1, 2]])), '1-based'),
    (dict(masterordering=np.array([[1, 4]])), 'points past'),
    (dict(subjectim=np.ones((2, 3, 2))), 'subjects, images'),
])
def test_bad_design(tmp_path, overrides, message):
    path = write_design(tmp_path / 'd.mat', **overrides)
    with pytest.raises(NSDFormatError, match=message) as info:
        load_expdesign(path)
    assert str(tmp_path / 'd.mat') in str(info.value)


def test_unknown_subject(tmp_path):
    design = load_expdesign(write_design(tmp_path / 'd.mat'))
    with pytest.raises(ValueError, match='unknown NSD subject 9'):
        design.trial_nsd_ids(9)
    with pytest.raises(ValueError, match='subject 3 is not in the design'):
        design.trial_nsd_ids(3)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(NSDFormatError, match='nope.mat: file not found'):
        load_expdesign(str(tmp_path / 'nope.mat'))


def write_csv(path, text):
    path.write_text(text)
    return str(path)


def test_stim_info(tmp_path):
    path = write_csv(
        tmp_path / 's.csv', ',cocoId,cocoSplit,cropBox,nsdId,shared1000\n'
        '0,532481,val2017,"(0, 0, 0.1, 0.1)",1,False\n'
        '1,245764,train2017,"(0, 0, 0, 0)",0,True\n')
    info = load_stim_info(path)
    assert info.nsd_id.tolist() == [0, 1]  # sorted by nsdId
    assert info.coco_id.tolist() == [245764, 532481]
    assert info.coco_split.tolist() == ['train2017', 'val2017']
    assert info.shared1000.tolist() == [True, False]


@pytest.mark.parametrize('text,message', [
    ('cocoId,nsdId,shared1000\n1,0,True\n', r"missing columns \['cocoSplit'\]"),
    ('cocoId,cocoSplit,nsdId,shared1000\nx,train2017,0,True\n',
     'line 2: nsdId/cocoId are not integers'),
    ('cocoId,cocoSplit,nsdId,shared1000\n1,train2017,0,maybe\n',
     "shared1000 is 'maybe'"),
    ('cocoId,cocoSplit,nsdId,shared1000\n1,train2017,0,True\n'
     '2,train2017,0,False\n', 'duplicated nsdId'),
])
def test_bad_stim_info(tmp_path, text, message):
    path = write_csv(tmp_path / 's.csv', text)
    with pytest.raises(NSDFormatError, match=message):
        load_stim_info(path)


def test_stimuli_brick(tmp_path):
    path = str(tmp_path / 'stim.hdf5')
    brick = np.arange(3 * 4 * 5 * 3, dtype=np.uint8).reshape(3, 4, 5, 3)
    with h5py.File(path, 'w') as f:
        f['imgBrick'] = brick
    stimuli = NSDStimuli(path)
    assert len(stimuli) == 3
    np.testing.assert_array_equal(stimuli[2], brick[2])
    with pytest.raises(NSDFormatError, match='nsdId 3 is outside the image'):
        stimuli[3]
    bad = str(tmp_path / 'bad.hdf5')
    with h5py.File(bad, 'w') as f:
        f['imgBrick'] = brick.astype(np.float32)
    with pytest.raises(NSDFormatError, match="'imgBrick' must be of dtype uint8"):
        NSDStimuli(bad)


def test_betas_axis_order_and_scale(tmp_path):
    x, y, z, trials = 3, 4, 2, 2
    # stored value at NIfTI voxel (i, j, k) of trial t: 100i + 10j + k + t
    stored = np.zeros((trials, z, y, x), dtype=np.int16)
    for t in range(trials):
        for i in range(x):
            for j in range(y):
                for k in range(z):
                    stored[t, k, j, i] = 100 * i + 10 * j + k + t
    path = str(tmp_path / 'betas_session01.hdf5')
    with h5py.File(path, 'w') as f:
        f['betas'] = stored
    ijk = np.array([[2, 3, 1], [0, 1, 0], [1, 0, 1]])
    betas = read_session_betas(path, ijk, (x, y, z), chunk_trials=1)
    expected = np.array([[231, 10, 101], [232, 11, 102]]) / 300
    np.testing.assert_allclose(betas, expected, rtol=1e-6)
    assert betas.dtype == np.float32


@pytest.mark.parametrize('data,message', [
    (np.zeros((2, 3, 4, 2), dtype=np.int16), r'axes reversed'),
    (np.zeros((2, 2, 4, 3), dtype=np.float32), 'must be of dtype int16'),
])
def test_bad_betas(tmp_path, data, message):
    path = str(tmp_path / 'betas_session01.hdf5')
    with h5py.File(path, 'w') as f:
        f['betas'] = data
    with pytest.raises(NSDFormatError, match=message) as info:
        read_session_betas(path, np.zeros((1, 3), int), (3, 4, 2))
    assert 'betas_session01.hdf5' in str(info.value)


def test_roi_coordinates_through_affine(tmp_path):
    labels = -np.ones((3, 4, 2), dtype=np.int32)
    labels[1, 2, 0] = 2
    labels[2, 3, 1] = 1
    labels[0, 0, 0] = 0
    affine = np.array([[0, 2, 0, 1], [1, 0, 0, 2], [0, 0, 3, 4],
                       [0, 0, 0, 1.]])  # (i, j, k) -> (2j+1, i+2, 3k+4)
    path = str(tmp_path / 'floc-faces.nii.gz')
    nib.save(nib.Nifti1Image(labels, affine), path)
    roi = load_roi_voxels(path)
    assert roi.ijk.tolist() == [[1, 2, 0], [2, 3, 1]]
    np.testing.assert_allclose(roi.coords, [[5, 3, 4], [7, 4, 7]])
    assert roi.volume_shape == (3, 4, 2)


def test_empty_or_bad_roi(tmp_path):
    path = str(tmp_path / 'floc-words.nii.gz')
    nib.save(nib.Nifti1Image(np.zeros((2, 2, 2), np.int32), np.eye(4)), path)
    with pytest.raises(NSDFormatError, match='no voxel labelled > 0'):
        load_roi_voxels(path)
    nib.save(nib.Nifti1Image(np.ones((2, 2, 2, 2), np.int32), np.eye(4)),
             path)
    with pytest.raises(NSDFormatError, match='3D volume'):
        load_roi_voxels(path)
    with pytest.raises(NSDFormatError, match='streams.nii.gz: file not found'):
        load_roi_voxels(str(tmp_path / 'streams.nii.gz'))
