import numpy as np
import torch

from mmbrain.models import BrainDataPreprocessor
from mmbrain.structures import BrainDataSample, pad_rois, pad_voxels
from mmbrain.testing import fake_brain_batch, voxel_counts


def test_pad_voxels_by_hand():
    values, coords, mask = pad_voxels(
        [np.array([1., 2, 3]), np.array([4.])],
        [np.ones((3, 3)), 2 * np.ones((1, 3))])
    assert values.tolist() == [[1, 2, 3], [4, 0, 0]]
    assert mask.tolist() == [[True, True, True], [True, False, False]]
    assert coords[1].tolist() == [[2, 2, 2], [0, 0, 0], [0, 0, 0]]


def test_normalises_images_and_pads_every_roi():
    samples = []
    for v in (2, 5):
        sample = BrainDataSample(
            fmri=[np.full(v, 1., np.float32),
                  np.full(v + 1, 2., np.float32)],
            coords=[np.zeros((v, 3), np.float32),
                    np.zeros((v + 1, 3), np.float32)])
        samples.append(sample)
    img = torch.full((3, 2, 2), 100, dtype=torch.uint8)
    preprocessor = BrainDataPreprocessor(mean=[10, 20, 30], std=[2, 4, 5])
    out = preprocessor(dict(inputs=[img, img], data_samples=samples))
    inputs = out['inputs']
    assert inputs['img'][:, :, 0, 0].tolist() == [[45, 20, 14]] * 2
    assert [f.shape for f in inputs['fmri']] == [(2, 5), (2, 6)]
    assert inputs['mask'][1].sum(1).tolist() == [3, 6]
    assert len(out['data_samples']) == 2
    assert 'subject' not in inputs  # the samples carry none
    for s, subject in zip(samples, (3, 1)):
        s.set_metainfo(dict(subject=subject))
    out = preprocessor(dict(inputs=[img, img], data_samples=samples))
    assert out['inputs']['subject'].tolist() == [3, 1]


def test_pad_rois_of_a_fake_batch():
    data = fake_brain_batch(3, voxels=(10, 40), img_size=8)
    lengths = voxel_counts((10, 40), 3)
    assert lengths == [[10, 40], [9, 38], [9, 36]]
    samples = data['data_samples']
    assert [[len(f) for f in s.fmri] for s in samples] == lengths
    fmri, coords, masks = pad_rois([s.fmri for s in samples],
                                   [s.coords for s in samples])
    assert [f.shape for f in fmri] == [(3, 10), (3, 40)]
    assert [c.shape for c in coords] == [(3, 10, 3), (3, 40, 3)]
    assert masks[1].sum(1).tolist() == [40, 38, 36]
    torch.testing.assert_close(fmri[1][2, :36],
                               torch.from_numpy(samples[2].fmri[1]))
    assert [img.shape for img in data['inputs']] == [(3, 8, 8)] * 3
    # seeded
    again = fake_brain_batch(3, voxels=(10, 40), img_size=8)
    assert (again['data_samples'][1].coords[0] == samples[1].coords[0]).all()


def test_views_are_normalised_as_the_images_by_hand():
    samples = []
    for k in range(2):  # sample k's view v is filled with 10 * (k + v + 1)
        views = np.stack([np.full((3, 4, 4), 10 * (k + v + 1), np.uint8)
                          for v in range(3)])
        samples.append(BrainDataSample(views=views))
    img = torch.full((3, 2, 2), 100, dtype=torch.uint8)
    preprocessor = BrainDataPreprocessor(mean=[10, 20, 30], std=[2, 4, 5])
    inputs = preprocessor(dict(inputs=[img, img], data_samples=samples),
                          True)['inputs']
    views = inputs['views']
    assert len(views) == 3 and all(v.shape == (2, 3, 4, 4) for v in views)
    # view 1 of sample 0: 20 -> (20 - 10) / 2, (20 - 20) / 4, (20 - 30) / 5
    assert views[1][0, :, 0, 0].tolist() == [5., 0., -2.]
    # view 2 of sample 1: 40
    assert views[2][1, :, 3, 3].tolist() == [15., 5., 2.]
    assert 'fmri' not in inputs
