"""Per-image target vectors by nsdId: TargetVectors, write_target_vectors and
LoadTargetVectors, on small files built here."""
import os
import os.path as osp

import h5py
import numpy as np
import pytest

from mmbrain.datasets.nsd import (NSDFormatError, TargetVectors,
                                  write_target_vectors)
from mmbrain.datasets.transforms import LoadTargetVectors

ROIS = ('floc-faces', 'streams')


@pytest.fixture
def vectors():
    """Two keys over 5 images: row n of 'floc-faces' is n, n+0.5; of
    'streams' 10n, 10n+1, 10n+2."""
    n = np.arange(5, dtype=np.float32)[:, None]
    return {'floc-faces': np.hstack([n, n + 0.5]),
            'streams': np.hstack([10 * n, 10 * n + 1, 10 * n + 2])}


@pytest.fixture
def brick_dir(tmp_path, vectors):
    """A folder standing for the image brick's, with targets.h5 and
    single.npy beside ``nsd_stimuli.hdf5`` (which is never opened here)."""
    folder = tmp_path / 'stimuli'
    folder.mkdir()
    write_target_vectors(str(folder / 'targets.h5'), vectors)
    np.save(folder / 'single.npy', vectors['streams'])
    return folder


def test_written_as_given_and_read_by_row(brick_dir, vectors):
    path = str(brick_dir / 'targets.h5')
    with h5py.File(path, 'r') as f:
        assert sorted(f) == list(ROIS)
        np.testing.assert_array_equal(f['streams'][()], vectors['streams'])
        assert f['streams'].dtype == np.float32
    assert not [n for n in os.listdir(brick_dir) if n.endswith('.tmp')]
    targets = TargetVectors(path)
    assert not targets.single and targets.keys == list(ROIS)
    row = targets.row(3, 'floc-faces')
    assert row.dtype == np.float32 and row.tolist() == [3, 3.5]
    single = TargetVectors(str(brick_dir / 'single.npy'))
    assert single.single and single.keys is None
    assert single.row(4).tolist() == [40, 41, 42]


def test_write_refuses_arrays_that_are_not_one_table(tmp_path):
    with pytest.raises(ValueError, match='one N_images'):
        write_target_vectors(str(tmp_path / 'x.h5'),
                             dict(a=np.zeros((3, 2)), b=np.zeros((4, 2))))
    with pytest.raises(ValueError, match='one N_images'):
        write_target_vectors(str(tmp_path / 'x.h5'), dict(a=np.zeros(3)))
    assert os.listdir(tmp_path) == []


def test_errors_name_the_file(brick_dir, tmp_path):
    path = str(brick_dir / 'targets.h5')
    with pytest.raises(NSDFormatError, match='no such file of target'):
        TargetVectors(str(tmp_path / 'none.h5'))
    targets = TargetVectors(path)
    with pytest.raises(NSDFormatError, match=f"^{path}: no target vectors "
                       r"of 'floc-words'; it has \['floc-faces', 'streams'\]"):
        targets.row(0, 'floc-words')
    with pytest.raises(NSDFormatError, match=f'^{path}: nsdId 5 outside its '
                       '5 images'):
        targets.row(5, 'streams')
    with pytest.raises(NSDFormatError, match='read by key'):
        targets.row(0)
    with pytest.raises(NSDFormatError, match='read without a key'):
        TargetVectors(str(brick_dir / 'single.npy')).row(0, 'streams')
    flat = str(tmp_path / 'flat.npy')
    np.save(flat, np.zeros(5))
    with pytest.raises(NSDFormatError, match=f'^{flat}: target vectors must '
                       r'be one \(N_images, F\) array'):
        TargetVectors(flat)
    with h5py.File(tmp_path / 'bad.h5', 'w') as f:
        f['streams'] = np.zeros(5)
    with pytest.raises(NSDFormatError, match="'streams' must have shape"):
        TargetVectors(str(tmp_path / 'bad.h5')).row(0, 'streams')


def test_transform_reads_the_samples_rois_beside_its_image(brick_dir):
    sample = dict(img_path=str(brick_dir / 'nsd_stimuli.hdf5'), nsd_id=2,
                  rois=('streams', 'floc-faces'))
    out = LoadTargetVectors(file='targets.h5')(dict(sample))
    assert [f.tolist() for f in out['features']] == [[20, 21, 22], [2, 2.5]]
    # explicit keys, whatever the rois; an absolute file
    out = LoadTargetVectors(file=str(brick_dir / 'targets.h5'),
                            keys=['floc-faces'])(dict(sample))
    assert [f.tolist() for f in out['features']] == [[2, 2.5]]
    out = LoadTargetVectors(file='single.npy')(dict(sample))
    assert [f.tolist() for f in out['features']] == [[20, 21, 22]]


def test_transform_errors(brick_dir, tmp_path):
    with pytest.raises(ValueError, match='takes no keys'):
        LoadTargetVectors(file='single.npy', keys=['streams'])
    with pytest.raises(ValueError, match='keys must be a list'):
        LoadTargetVectors(file='targets.h5', keys='streams')
    with pytest.raises(ValueError, match='file must name'):
        LoadTargetVectors(file='')
    image = str(tmp_path / 'nsd_stimuli.hdf5')
    missing = osp.join(str(tmp_path), 'targets.h5')
    with pytest.raises(NSDFormatError, match=f'^{missing}: no file of target '
                       r"vectors \(LoadTargetVectors\(file='targets.h5'\): a "
                       'relative file is looked for beside the sample'):
        LoadTargetVectors(file='targets.h5')(
            dict(img_path=image, nsd_id=0, rois=ROIS))


def test_transform_survives_pickling_into_workers(brick_dir):
    import pickle
    transform = LoadTargetVectors(file='targets.h5')
    sample = dict(img_path=str(brick_dir / 'nsd_stimuli.hdf5'), nsd_id=1,
                  rois=ROIS)
    transform(dict(sample))  # opens the file in this process
    copy = pickle.loads(pickle.dumps(transform))
    assert copy(dict(sample))['features'][0].tolist() == [1, 1.5]
    assert repr(copy) == "LoadTargetVectors(file='targets.h5', keys=None)"
