"""The Algonauts 2023 layout, converted to the cache the dataset reads."""
import os
import os.path as osp

import cv2
import numpy as np
import pytest

from mmbrain.datasets import NSDBrainDataset
from mmbrain.datasets.nsd import NSDFormatError
from mmbrain.datasets.nsd.algonauts import convert_algonauts_subject

ROIS = ('floc-faces', 'streams')
VERTICES = {'lh': 5, 'rh': 4}
NSD_IDS = [13, 2, 40]


def build_algonauts(root):
    subj = osp.join(root, 'subj01')
    images = osp.join(subj, 'training_split', 'training_images')
    fmri_dir = osp.join(subj, 'training_split', 'training_fmri')
    for d in (images, fmri_dir, osp.join(subj, 'roi_masks'),
              osp.join(root, 'coords')):
        os.makedirs(d, exist_ok=True)
    for n, nsd_id in enumerate(NSD_IDS):
        img = np.full((6, 6, 3), (10 * n, 1, 2), dtype=np.uint8)  # RGB
        cv2.imwrite(
            osp.join(images, f'train-{n + 1:04d}_nsd-{nsd_id:05d}.png'),
            cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
    for h, (hemi, v) in enumerate(VERTICES.items()):
        fmri = (100 * h + np.arange(len(NSD_IDS) * v).reshape(
            len(NSD_IDS), v)).astype(np.float32)
        np.save(osp.join(fmri_dir, f'{hemi}_training_fmri.npy'), fmri)
        np.save(
            osp.join(root, 'coords', f'subj01_{hemi}.npy'),
            np.arange(v * 3, dtype=np.float32).reshape(v, 3) + 1000 * h)
        for roi in ROIS:
            mask = np.zeros(v, dtype=np.int64)
            mask[::2 if roi == 'streams' else 3] = 1
            np.save(
                osp.join(subj, 'roi_masks', f'{hemi}.{roi}_challenge_space'
                         '.npy'), mask)
    return subj


def coords_of(root):
    return {h: osp.join(root, 'coords', f'subj01_{h}.npy') for h in VERTICES}


def test_convert_and_read(tmp_path):
    subj = build_algonauts(str(tmp_path))
    report = convert_algonauts_subject(
        subj, 1, str(tmp_path / 'prepared'), coords_of(str(tmp_path)),
        rois=ROIS)
    assert report['rois']['streams'] == dict(voxels=5, dropped=0, kept=5)
    dataset = NSDBrainDataset(
        data_root=str(tmp_path),
        subjects=[1],
        rois=ROIS,
        split='all',
        pipeline=[
            dict(type='LoadNSDImage'),
            dict(type='LoadBrainResponses'),
            dict(type='PackBrainInputs')
        ])
    # sorted by nsdId: 2 (train-0002), 13 (train-0001), 40 (train-0003)
    sample = dataset[1]
    assert sample['data_samples'].nsd_id == 13
    assert sample['inputs'][:, 0, 0].tolist() == [0, 1, 2]  # RGB kept
    # streams: lh vertices 0, 2, 4 then rh vertices 0, 2 of image row 0
    np.testing.assert_array_equal(sample['data_samples'].fmri[1],
                                  [0, 2, 4, 100, 102])
    np.testing.assert_array_equal(sample['data_samples'].coords[1][3],
                                  [1000, 1001, 1002])


def test_bad_algonauts_inputs(tmp_path):
    subj = build_algonauts(str(tmp_path))
    coords = coords_of(str(tmp_path))
    np.save(coords['rh'], np.zeros((3, 3)))
    with pytest.raises(NSDFormatError, match=r'expected \(4, 3\) vertex'):
        convert_algonauts_subject(subj, 1, str(tmp_path / 'p'), coords,
                                  rois=ROIS)
    fmri = osp.join(subj, 'training_split', 'training_fmri',
                    'lh_training_fmri.npy')
    np.save(fmri, np.zeros((2, 5), np.float32))
    with pytest.raises(NSDFormatError, match='2 rows for 3 training images'):
        convert_algonauts_subject(subj, 1, str(tmp_path / 'p'), coords,
                                  rois=ROIS)


def test_submission_needs_every_vertex(tmp_path):
    from mmbrain.datasets.nsd.algonauts import write_submission
    pred = [np.arange(6, dtype=np.float64).reshape(2, 3),
            np.array([[10.], [11.]])]
    vertex = [np.array([0, 3, 1]), np.array([2])]
    files = write_submission(str(tmp_path), 1, pred, vertex,
                             dict(lh=2, rh=2))
    lh, rh = np.load(files['lh']), np.load(files['rh'])
    assert lh.dtype == rh.dtype == np.float32
    np.testing.assert_array_equal(lh, [[0, 2], [3, 5]])
    np.testing.assert_array_equal(rh, [[10, 1], [11, 4]])
    assert files['rh'] == str(tmp_path / 'subj01' / 'rh_pred_test.npy')
    with pytest.raises(ValueError, match='the ROIs predict 3 of the 4 '
                       'challenge vertices of subject 1; a submission needs '
                       'them all: convert with --rois all-vertices'):
        write_submission(str(tmp_path), 1, pred[:1], vertex[:1],
                         dict(lh=2, rh=2))


def test_all_vertices_and_test_images(tmp_path):
    from mmbrain.datasets.nsd import BrainCache
    from mmbrain.datasets.nsd.algonauts import image_files
    subj = build_algonauts(str(tmp_path))
    convert_algonauts_subject(subj, 1, str(tmp_path / 'prepared'),
                              coords_of(str(tmp_path)),
                              rois=['all-vertices', 'streams'])
    with BrainCache(str(tmp_path / 'prepared' / 'subj01.h5')) as cache:
        assert cache.hemisphere_vertices == VERTICES
        assert cache.vertex('all-vertices').tolist() == list(range(9))
        assert cache.vertex('streams').tolist() == [0, 2, 4, 5, 7]
        assert cache.source == osp.abspath(subj)
    folder = osp.join(subj, 'test_split', 'test_images')
    os.makedirs(folder)
    for name in ('test-0002_nsd-00007.png', 'test-0001_nsd-00900.png',
                 'other.png'):
        cv2.imwrite(osp.join(folder, name), np.zeros((2, 2, 3), np.uint8))
    files, nsd_ids = image_files(subj, 'test')
    assert [osp.basename(f) for f in files] == [
        'test-0001_nsd-00900.png', 'test-0002_nsd-00007.png']
    assert nsd_ids.tolist() == [900, 7]
    os.remove(files[0])
    os.remove(files[1])
    with pytest.raises(NSDFormatError, match='test_images: no '
                       'test-NNNN_nsd-NNNNN.png images'):
        image_files(subj, 'test')
