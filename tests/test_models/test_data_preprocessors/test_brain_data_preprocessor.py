import copy

import numpy as np
import torch
from mmengine.dataset import pseudo_collate

from mmbrain.datasets import brain_collate
from mmbrain.models import BrainDataPreprocessor
from mmbrain.structures import BrainDataSample
from mmbrain.testing import fake_brain_batch


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
    # no subjects: a row of coordinates per sample
    assert [c.shape for c in inputs['coords']] == [(2, 5, 3), (2, 6, 3)]
    assert inputs['rows'].tolist() == [0, 1]
    assert len(out['data_samples']) == 2
    assert 'subject' not in inputs  # the samples carry none
    for s, subject in zip(samples, (3, 1)):
        s.set_metainfo(dict(subject=subject))
    out = preprocessor(dict(inputs=[img, img], data_samples=samples))
    assert out['inputs']['subject'].tolist() == [3, 1]


def test_collated_or_not_the_inputs_are_the_same():
    """brain_collate (workers) and the preprocessor pad with one function:
    the inputs are equal either way; coordinates stay once per subject."""
    data = fake_brain_batch(4, voxels=(10, 40), img_size=8)
    for s in data['data_samples'][2:]:  # two samples of subject 3's voxels
        s.set_metainfo(dict(subject=3))
        s.fmri = [f[:8] for f in s.fmri]
        s.coords = [c[:8] for c in data['data_samples'][2].coords]
    preprocessor = BrainDataPreprocessor()
    items = [dict(inputs=img, data_samples=s)
             for img, s in zip(data['inputs'], data['data_samples'])]
    apart = preprocessor(pseudo_collate(copy.deepcopy(items)))['inputs']
    collated = preprocessor(brain_collate(copy.deepcopy(items)))['inputs']
    assert apart.keys() == collated.keys() >= {
        'img', 'fmri', 'mask', 'coords', 'rows', 'lengths', 'subject'}
    assert collated['rows'].tolist() == [0, 1, 2, 2]
    assert [c.shape for c in collated['coords']] == [(3, 10, 3), (3, 40, 3)]
    for key in ('fmri', 'mask', 'coords'):
        assert all(map(torch.equal, apart[key], collated[key]))
    assert torch.equal(apart['rows'], collated['rows'])
    assert apart['lengths'] == collated['lengths'] == ((10, 9, 8, 8),
                                                        (40, 38, 8, 8))


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
