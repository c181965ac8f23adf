import numpy as np
import torch

from mmbrain.structures import batch_brain, pad
from mmbrain.testing import fake_brain_batch, voxel_counts


def test_pad_by_hand():
    values, mask = pad([np.array([1., 2, 3]), np.array([4.])])
    assert values.tolist() == [[1, 2, 3], [4, 0, 0]]
    assert mask.tolist() == [[True, True, True], [True, False, False]]
    xyz, _ = pad([np.ones((3, 3)), 2 * np.ones((1, 3))])
    assert xyz[1].tolist() == [[2, 2, 2], [0, 0, 0], [0, 0, 0]]


def test_coordinates_once_per_subject_by_hand():
    """Samples 0 and 2 are one subject with one voxel set: one row of
    coords; sample 3, without a subject, keeps its own."""
    xyz = {1: np.ones((2, 3)), 2: 2 * np.ones((3, 3)), None: np.zeros((1, 3))}
    subjects = [1, 2, 1, None]
    fmri = [[np.arange(len(xyz[s]), dtype=float) + n]
            for n, s in enumerate(subjects)]
    batch = batch_brain(fmri, [[xyz[s]] for s in subjects], subjects)
    assert batch['lengths'] == ((2, 3, 2, 1), )
    assert batch['rows'].tolist() == [0, 1, 0, 2]
    assert batch['fmri'][0].tolist() == [[0, 1, 0], [1, 2, 3], [2, 3, 0],
                                         [3, 0, 0]]
    assert batch['mask'][0].sum(1).tolist() == [2, 3, 2, 1]
    table = batch['coords'][0]  # (S, V, 3), zero past a subject's voxels
    assert table.shape == (3, 3, 3)
    assert table[:, :, 0].tolist() == [[1, 1, 0], [2, 2, 2], [0, 0, 0]]
    # without subjects, every sample keeps its own row
    apart = batch_brain(fmri, [[xyz[s]] for s in subjects])
    assert apart['rows'].tolist() == [0, 1, 2, 3]
    for n, s in enumerate(subjects):
        assert torch.equal(apart['coords'][0][n, :len(xyz[s])],
                           torch.from_numpy(xyz[s]))


def test_batch_brain_of_a_fake_batch():
    data = fake_brain_batch(3, voxels=(10, 40), img_size=8)
    lengths = voxel_counts((10, 40), 3)
    assert lengths == [[10, 40], [9, 38], [9, 36]]
    samples = data['data_samples']
    assert [[len(f) for f in s.fmri] for s in samples] == lengths
    batch = batch_brain([s.fmri for s in samples],
                        [s.coords for s in samples],
                        [s.subject for s in samples])
    assert [f.shape for f in batch['fmri']] == [(3, 10), (3, 40)]
    # subjects 1, 2, 1, but sample 2 has other voxel counts than sample 0
    assert batch['rows'].tolist() == [0, 1, 2]
    assert [c.shape for c in batch['coords']] == [(3, 10, 3), (3, 40, 3)]
    assert batch['mask'][1].sum(1).tolist() == [40, 38, 36]
    torch.testing.assert_close(batch['fmri'][1][2, :36],
                               torch.from_numpy(samples[2].fmri[1]))
    assert [img.shape for img in data['inputs']] == [(3, 8, 8)] * 3
    # seeded
    again = fake_brain_batch(3, voxels=(10, 40), img_size=8)
    assert (again['data_samples'][1].coords[0] == samples[1].coords[0]).all()
