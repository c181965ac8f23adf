"""Every HDF5 file the project opens (raw betas, image brick, prepared
cache) names itself and its problem when it is cut short or not HDF5."""
import os.path as osp

import numpy as np
import pytest

from mmbrain.datasets.nsd import (BrainCache, NSDFormatError, NSDStimuli,
                                  layout, prepare_subject, read_session_betas)


@pytest.fixture(scope='module')
def mini_root(mini_nsd, tmp_path_factory):
    root = mini_nsd.build(tmp_path_factory.mktemp('nsd'), subjects=(1, ))
    prepare_subject(root, 1, osp.join(root, 'prepared'), rois=mini_nsd.rois,
                    progress=False, allow_partial=True)
    return root


# kind: (its file in the root, reading it in a volume of the given shape)
READERS = {
    'betas': (lambda root: layout.betas_path(root, 1, 1), lambda path, shape:
              read_session_betas(path, np.zeros((1, 3), int), shape)),
    'brick': (layout.stimuli_path, lambda path, shape: NSDStimuli(path)),
    'cache': (lambda root: osp.join(root, 'prepared', 'subj01.h5'),
              lambda path, shape: BrainCache(path)),
}


def cut_short(data):
    return data[:len(data) // 2]


def not_hdf5(data):
    return b'nsdId,cocoId\n' * 100


@pytest.mark.parametrize('damage', [cut_short, not_hdf5])
@pytest.mark.parametrize('kind', sorted(READERS))
def test_damaged_file_is_named(mini_nsd, mini_root, tmp_path, kind, damage):
    source, reader = READERS[kind]
    path = str(tmp_path / osp.basename(source(mini_root)))
    with open(source(mini_root), 'rb') as f, open(path, 'wb') as out:
        out.write(damage(f.read()))
    with pytest.raises(NSDFormatError,
                       match='not a readable HDF5 file, truncated, '
                       'damaged or of another format') as info:
        reader(path, mini_nsd.shape)
    assert info.value.path == path
