"""NSDBrainDataset, its transforms, and batches that mix subjects."""
import os
import os.path as osp

import h5py
import numpy as np
import pytest
import torch
from mmengine.dataset import default_collate, pseudo_collate

from mmbrain.datasets import NSDBrainDataset, brain_collate
from mmbrain.datasets.nsd import (NSDFormatError, layout, prepare_subject,
                                 resize_stimuli)
from mmbrain.models import BrainDataPreprocessor

PIPELINE = [
    dict(type='LoadNSDImage'),
    dict(type='LoadBrainResponses'),
    dict(type='PackBrainInputs'),
]


@pytest.fixture(scope='module')
def nsd_root(mini_nsd, tmp_path_factory):
    root = mini_nsd.build(tmp_path_factory.mktemp('nsd'))
    for subject in (1, 2):
        prepare_subject(root, subject, osp.join(root, 'prepared'),
                        rois=mini_nsd.rois, progress=False, allow_partial=True)
    return root


@pytest.fixture
def build(mini_nsd):
    """``build(root, **kwargs)``: the dataset of the mini NSD's ROIs."""

    def dataset(root, **kwargs):
        kwargs.setdefault('pipeline', PIPELINE)
        return NSDBrainDataset(data_root=root, rois=mini_nsd.rois, **kwargs)

    return dataset


def infos(dataset):
    return [dataset.get_data_info(i) for i in range(len(dataset))]


def test_splits(build, mini_nsd, nsd_root):
    train = build(nsd_root, subjects=[1, 2], split='train')
    test = build(nsd_root, subjects=[1, 2], split='test')
    everything = build(nsd_root, subjects=[1, 2], split='all')
    # shared1000 = nsdIds 0, 1; subject 1 saw 0..3, subject 2 saw 0, 1, 4, 5
    assert sorted((d['subject'], d['nsd_id']) for d in infos(test)) == [
        (1, 0), (1, 1), (2, 0), (2, 1)]
    assert sorted((d['subject'], d['nsd_id']) for d in infos(train)) == [
        (1, 2), (1, 3), (2, 4), (2, 5)]
    assert len(everything) == 8
    assert train.metainfo['rois'] == mini_nsd.rois


def test_sample_holds_image_responses_and_coords(build, mini_nsd, nsd_root):
    dataset = build(nsd_root, subjects=[2], split='train')
    sample = dataset[1]
    meta = sample['data_samples'].metainfo
    assert (meta['subject'], meta['nsd_id']) == (2, 5)
    with h5py.File(layout.stimuli_path(nsd_root), 'r') as f:
        image = f['imgBrick'][5]
    assert torch.equal(sample['inputs'], torch.from_numpy(image).permute(
        2, 0, 1))
    with h5py.File(osp.join(nsd_root, 'prepared', 'subj02.h5'), 'r') as f:
        row = list(f['nsd_ids'][()]).index(5)
        for k, roi in enumerate(mini_nsd.rois):
            np.testing.assert_array_equal(
                sample['data_samples'].fmri[k],
                f[f'rois/{roi}/responses'][row])
            np.testing.assert_array_equal(sample['data_samples'].coords[k],
                                          f[f'rois/{roi}/coords'][()])


@pytest.mark.parametrize('collate',
                         [pseudo_collate, default_collate, brain_collate])
def test_mixed_subject_batch_is_padded_with_masks(build, mini_nsd, nsd_root, collate):
    dataset = build(nsd_root, subjects=[1, 2], split='all')
    samples = [dataset[i] for i in range(len(dataset))]
    preprocessor = BrainDataPreprocessor(mean=[0.] * 3, std=[1.] * 3)
    data = collate([dataset[i] for i in range(len(dataset))])
    if collate is brain_collate:  # padded here, coordinates per subject
        assert 'fmri' not in data['data_samples'][0]
        assert [len(c) for c in data['brain']['coords']] == [2] * len(
            mini_nsd.rois)
    batch = preprocessor(data)['inputs']
    assert batch['img'].shape == (8, 3, 4, 4)
    for k in range(len(mini_nsd.rois)):
        lengths = [len(s['data_samples'].fmri[k]) for s in samples]
        assert batch['fmri'][k].shape == (8, max(lengths))
        assert batch['mask'][k].sum(1).tolist() == lengths
        assert batch['lengths'][k] == tuple(lengths)
        for n, sample in enumerate(samples):
            v = lengths[n]
            # a sample's values are the same alone or padded in a batch
            assert torch.equal(batch['fmri'][k][n, :v],
                               torch.from_numpy(sample['data_samples'].fmri[k]))
            assert torch.equal(
                batch['coords'][k][batch['rows'][n], :v],
                torch.from_numpy(sample['data_samples'].coords[k]))
            assert not batch['fmri'][k][n, v:].any()


def test_missing_cache_and_bad_arguments(build, nsd_root, tmp_path):
    with pytest.raises(NSDFormatError, match='no prepared cache for subject '
                       '3'):
        build(nsd_root, subjects=[3])
    with pytest.raises(ValueError, match='unknown NSD subject 9'):
        build(nsd_root, subjects=[9])
    with pytest.raises(ValueError, match='split must be one of'):
        build(nsd_root, subjects=[1], split='val')
    with pytest.raises(ValueError, match="bad ROI 'v1:'"):
        NSDBrainDataset(data_root=nsd_root, subjects=[1], rois=['v1:'])
    with pytest.raises(ValueError, match='ROIs named twice'):
        NSDBrainDataset(data_root=nsd_root, subjects=[1],
                        rois=['v1', 'v1'])


def test_roi_absent_from_cache(nsd_root):
    with pytest.raises(NSDFormatError,
                       match=r"ROIs \['floc-words'\] are absent"):
        NSDBrainDataset(
            data_root=nsd_root, subjects=[1], rois=['floc-words'])


def test_nsd_id_outside_the_brick(build, mini_nsd, nsd_root, tmp_path):
    # a brick of 5 images: subject 2 saw nsdId 5
    root = mini_nsd.build(tmp_path / 'nsd', subjects=(2, ))
    prepare_subject(root, 2, osp.join(root, 'prepared'), rois=mini_nsd.rois,
                    progress=False, allow_partial=True)
    with h5py.File(layout.stimuli_path(root), 'r+') as f:
        brick = f['imgBrick'][:5]
        del f['imgBrick']
        f['imgBrick'] = brick
    with pytest.raises(NSDFormatError,
                       match='nsdId 5 of subject 2 is outside the image '
                       'brick of 5 images') as info:
        build(root, subjects=[2])
    assert 'nsd_stimuli.hdf5' in str(info.value)


def test_dataloader_workers_read_the_same(build, nsd_root):
    from torch.utils.data import DataLoader
    dataset = build(nsd_root, subjects=[1, 2], split='all')
    batches = [
        list(
            DataLoader(
                dataset, batch_size=3, num_workers=w,
                collate_fn=pseudo_collate)) for w in (0, 2)
    ]
    for a, b in zip(*batches):
        for x, y in zip(a['data_samples'], b['data_samples']):
            assert all(np.array_equal(p, q) for p, q in zip(x.fmri, y.fmri))


def test_reliable_voxels_by_ncsnr(build, mini_nsd, tmp_path):
    import nibabel as nib

    from mmbrain.datasets.transforms import LoadBrainResponses
    root = mini_nsd.build(tmp_path / 'nsd', subjects=(1, ))
    # ncsnr of voxel (i, j, k) = 1 + i: prf keeps (0,0,0) and (1,0,0)
    # (2,1,1 is constant and dropped), faces keeps (0,1,1) and (1,0,0)
    volume = np.ones(mini_nsd.shape, np.float32) + np.arange(3)[:, None, None]
    nib.save(nib.Nifti1Image(volume, mini_nsd.affine), layout.ncsnr_path(root, 1))
    prepare_subject(root, 1, osp.join(root, 'prepared'), rois=mini_nsd.rois,
                    progress=False, allow_partial=True)
    info = build(root, subjects=[1], split='all').get_data_info(0)
    every = LoadBrainResponses()(dict(info))
    reliable = LoadBrainResponses(min_ncsnr=1.5)(dict(info))
    # prf-visualrois: voxels (0,0,0) ncsnr 1 and (1,0,0) ncsnr 2
    np.testing.assert_array_equal(reliable['fmri'][0], every['fmri'][0][1:])
    np.testing.assert_array_equal(reliable['coords'][0],
                                  every['coords'][0][1:])
    # floc-faces: (0,1,1) ncsnr 1 and (1,0,0) ncsnr 2
    np.testing.assert_array_equal(reliable['fmri'][1], every['fmri'][1][1:])

    with pytest.raises(NSDFormatError, match='no voxel of prf-visualrois '
                       r'has ncsnr >= 5 \(the largest is 2.000\)'):
        LoadBrainResponses(min_ncsnr=5)(dict(info))


def test_reliable_voxels_need_ncsnr(build, nsd_root):
    from mmbrain.datasets.transforms import LoadBrainResponses
    info = build(nsd_root, subjects=[1], split='all').get_data_info(0)
    with pytest.raises(NSDFormatError, match="no ncsnr for prf-visualrois"):
        LoadBrainResponses(min_ncsnr=0.1)(dict(info))


def test_pre_resized_stimuli_give_the_resized_pixels(build, nsd_root,
                                                    tmp_path):
    """A brick resized once (resize_stimuli) reaches the model with the
    pixels that the pipeline's Resize gives from the raw brick."""
    brick = tmp_path / 'stimuli_12.hdf5'
    assert resize_stimuli(layout.stimuli_path(nsd_root), str(brick), 12) == 7
    with h5py.File(brick) as f:
        assert f['imgBrick'].shape == (7, 12, 12, 3)
        assert f['imgBrick'].chunks == (1, 12, 12, 3)
    resize = PIPELINE[:2] + [dict(type='Resize', scale=(12, 12))
                             ] + PIPELINE[2:]
    raw = build(nsd_root, subjects=[1, 2], pipeline=resize)
    once = build(nsd_root, subjects=[1, 2], stimuli=str(brick))
    assert len(raw) == len(once) == 4
    for i in range(len(raw)):
        assert once[i]['inputs'].shape == (3, 12, 12)
        assert torch.equal(raw[i]['inputs'], once[i]['inputs'])
    with pytest.raises(NSDFormatError, match='resize_stimuli.py'):
        build(nsd_root, subjects=[1], stimuli='prepared/missing.hdf5')


def test_damaged_cache_is_refused_when_the_dataset_is_built(
        build, mini_nsd, tmp_path, monkeypatch, flip_chunk_bytes):
    from mmbrain.datasets.nsd import BrainCache
    root = mini_nsd.build(tmp_path / 'nsd', subjects=(1, ))
    prepare_subject(root, 1, osp.join(root, 'prepared'), rois=mini_nsd.rois,
                    progress=False, allow_partial=True)
    verified = []
    real_verify = BrainCache.verify
    monkeypatch.setattr(BrainCache, 'verify', lambda self: verified.append(
        self.path) or real_verify(self))
    dataset = build(root, subjects=[1], split='all')
    build(root, subjects=[1], split='test')
    assert len(verified) == 1  # once per process and file

    path = osp.join(root, 'prepared', 'subj01.h5')
    stat = os.stat(path)
    flip_chunk_bytes(path, 'rois/floc-faces/responses', 2)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))  # a write's
    message = ("subj01.h5: dataset 'rois/floc-faces/responses' is damaged "
               r'\(.*\); rebuild it with tools/dataset_converters/'
               'prepare_nsd.py --force')
    assert dataset[1]['data_samples'].nsd_id == 1
    with pytest.raises(NSDFormatError, match=message):  # a training's read
        dataset[2]
    with pytest.raises(NSDFormatError, match=message):
        build(root, subjects=[1])
    assert len(verified) == 2
