"""The prepared cache: one writer, one reader, and the errors of both."""
import os
import os.path as osp

import h5py
import numpy as np
import pytest

from mmbrain.datasets.nsd import (BrainCache, CacheWriter, NSDFormatError,
                                  prepare_subject)
from mmbrain.datasets.nsd.algonauts import convert_algonauts_subject


def write_by_hand(path, finish=True):
    with CacheWriter(path, np.array([3, 7]), np.array([True, False]),
                     num_repeats=np.array([2, 3])) as out:
        out.add_roi('floc-faces', coords=np.ones((3, 3)),
                    ijk=np.zeros((3, 3)))[...] = [[1, 2, 3], [4, 5, 6]]
        if finish:
            out.finish(1, ['floc-faces'], '/raw', dict(images=2),
                       {'a.hdf5': [1, 2]})


def test_written_cache_reads_back(tmp_path):
    path = str(tmp_path / 'subj01.h5')
    write_by_hand(path)
    assert os.listdir(tmp_path) == ['subj01.h5']
    with BrainCache(path, ['floc-faces']) as cache:
        assert cache.nsd_ids.tolist() == [3, 7]
        assert cache.shared1000.tolist() == [True, False]
        assert cache.num_repeats.tolist() == [2, 3]
        assert cache.image_files is None
        assert cache.rois == ['floc-faces'] and cache.subject == 1
        assert cache.report == dict(images=2)
        assert cache.sources == {'a.hdf5': [1, 2]}
        assert cache.responses('floc-faces', 1).tolist() == [4, 5, 6]
        assert cache.coords('floc-faces').dtype == np.float32
        assert cache.ncsnr('floc-faces') is None


def test_unfinished_or_failed_writes_leave_no_cache(tmp_path):
    path = str(tmp_path / 'subj01.h5')
    with pytest.raises(RuntimeError, match='finish was not called'):
        write_by_hand(path, finish=False)
    with pytest.raises(KeyError):
        with CacheWriter(path, np.arange(2), np.zeros(2, bool)):
            raise KeyError('killed')
    assert os.listdir(tmp_path) == []


def test_both_converters_are_read_by_one_reader(mini_nsd, tmp_path):
    root = mini_nsd.build(tmp_path / 'nsd', subjects=(1, ))
    prepare_subject(root, 1, str(tmp_path / 'nsd_cache'), rois=mini_nsd.rois,
                    progress=False, allow_partial=True)

    subject = tmp_path / 'algonauts' / 'subj01'
    images = subject / 'training_split' / 'training_images'
    fmri = subject / 'training_split' / 'training_fmri'
    for folder in (images, fmri, subject / 'roi_masks'):
        folder.mkdir(parents=True)
    for index, nsd_id in enumerate([12, 5]):
        (images / f'train-{index + 1:04d}_nsd-{nsd_id:05d}.png').touch()
    coords = {}
    for hemi, vertices in (('lh', 3), ('rh', 2)):
        np.save(fmri / f'{hemi}_training_fmri.npy',
                np.arange(2 * vertices, dtype=np.float32).reshape(2, -1))
        for roi in mini_nsd.rois:
            np.save(subject / 'roi_masks' / f'{hemi}.{roi}_challenge_space'
                    '.npy', np.ones(vertices))
        coords[hemi] = str(tmp_path / f'{hemi}.npy')
        np.save(coords[hemi], np.zeros((vertices, 3)))
    convert_algonauts_subject(str(subject), 1, str(tmp_path / 'alg_cache'),
                              coords, rois=mini_nsd.rois)

    with BrainCache(str(tmp_path / 'nsd_cache' / 'subj01.h5'), mini_nsd.rois) as a, \
            BrainCache(str(tmp_path / 'alg_cache' / 'subj01.h5'),
                       mini_nsd.rois) as b:
        assert a.nsd_ids.tolist() == [0, 1, 2, 3]
        assert a.num_repeats.tolist() == [2, 2, 2, 2]
        assert a.image_files is None
        assert b.nsd_ids.tolist() == [5, 12]  # sorted, rows follow
        assert b.num_repeats is None
        assert [osp.basename(p) for p in b.image_files] == [
            'train-0002_nsd-00005.png', 'train-0001_nsd-00012.png'
        ]
        # row of nsdId 5 = training row 1: lh 3, 4, 5 then rh 2, 3
        assert b.responses('floc-faces', 0).tolist() == [3, 4, 5, 2, 3]
        for cache in (a, b):
            for roi in mini_nsd.rois:
                assert cache.responses(roi, ()).shape == (
                    len(cache.nsd_ids), len(cache.coords(roi)))
        # the volume is the masks' (mini NSD: 3x2x2, affine (2j+1, i+2,
        # 3k+4)); ijk maps through it to the stored coordinates
        assert a.volume_shape == (3, 2, 2)
        for roi in mini_nsd.rois:
            mm = a.affine[:3, :3] @ a.ijk(roi).T + a.affine[:3, 3:]
            np.testing.assert_allclose(mm.T, a.coords(roi))
        assert b.volume_shape is None and b.affine is None
        with pytest.raises(NSDFormatError, match='on the surface'):
            b.ijk(mini_nsd.rois[0])


@pytest.mark.parametrize('damage,message', [
    (lambda f: f.__delitem__('nsd_ids'), "dataset 'nsd_ids' is missing"),
    (lambda f: f.__delitem__('rois/floc-faces/responses'),
     "'rois/floc-faces/responses' is missing"),
    (lambda f: (f.__delitem__('shared1000'),
                f.create_dataset('shared1000', data=[1, 0], fletcher32=True)),
     "'shared1000' must be of dtype bool"),
    (lambda f: (f.__delitem__('rois/floc-faces/coords'),
                f.create_dataset('rois/floc-faces/coords', data=np.zeros(
                    (4, 3), np.float32), fletcher32=True)),
     r"'rois/floc-faces/responses' must have shape \(2, 4\), got \(2, 3\)"),
    (lambda f: f.attrs.__setitem__('version', 4), 'not an mmbrain cache of '
     'version 5 .found 4.'),
])
def test_damaged_cache_is_named(tmp_path, damage, message):
    path = str(tmp_path / 'subj01.h5')
    write_by_hand(path)
    with h5py.File(path, 'r+') as f:
        damage(f)
    with pytest.raises(NSDFormatError, match=message) as info:
        BrainCache(path)
    assert info.value.path == path


def test_missing_roi_group(tmp_path):
    path = str(tmp_path / 'subj01.h5')
    write_by_hand(path)
    with pytest.raises(NSDFormatError,
                       match=r"ROIs \['streams'\] are absent; it holds "
                       r"\['floc-faces'\]"):
        BrainCache(path, ['floc-faces', 'streams'])


def test_every_dataset_and_the_metadata_have_checksums(tmp_path):
    path = str(tmp_path / 'subj01.h5')
    write_by_hand(path)
    with h5py.File(path, 'r') as f:
        names = []
        f.visititems(lambda name, item: names.append(name) if isinstance(
            item, h5py.Dataset) else None)
        assert len(names) == 6
        assert all(f[name].fletcher32 for name in names)
    with open(path, 'rb') as f:
        # superblock version 3 (HDF5 1.10): checksummed superblock, object
        # headers and chunk indices
        assert f.read(9)[8] == 3


def test_damaged_chunk_is_named_with_the_fix(tmp_path, flip_chunk_bytes):
    path = str(tmp_path / 'subj01.h5')
    write_by_hand(path)
    flip_chunk_bytes(path, 'rois/floc-faces/responses', chunk=1, count=8)
    message = (f"{path}: dataset 'rois/floc-faces/responses' is damaged "
               r'\(.*\); rebuild it with tools/dataset_converters/'
               r'prepare_nsd.py --force$')
    with BrainCache(path) as cache:  # the header is intact
        assert cache.responses('floc-faces', 0).tolist() == [1, 2, 3]
        with pytest.raises(NSDFormatError, match=message):
            cache.responses('floc-faces', 1)
        with pytest.raises(NSDFormatError, match=message) as info:
            cache.verify()
    assert info.value.path == path and '\n' not in str(info.value)


def test_verify_reads_in_bounded_blocks(tmp_path, flip_chunk_bytes):
    """verify reads whole chunks, at most ``block_mb`` at once, and finds
    damage in the last chunk of a dataset larger than a block."""
    path = str(tmp_path / 'subj01.h5')
    rows, voxels = 300, 1000  # 4 kB rows, 1.2 MB
    with CacheWriter(path, np.arange(rows), np.zeros(rows, bool)) as out:
        out.add_roi('floc-faces', coords=np.zeros((voxels, 3)))[...] = 1.
        out.finish(1, ['floc-faces'], '/raw', {})
    reads = []
    with BrainCache(path) as cache:
        real_read = cache._read
        cache._read = lambda data, rows=(): reads.append(
            (data.name, rows)) or real_read(data, rows)
        cache.verify(block_mb=0.1)
    blocks = [rows for name, rows in reads if name.endswith('responses')]
    assert len(blocks) == 12  # 26 rows of 4 kB fit in 0.1 MiB
    assert blocks[-1] == slice(286, 312)
    flip_chunk_bytes(path, 'rois/floc-faces/responses', chunk=rows - 1)
    with BrainCache(path) as cache, pytest.raises(
            NSDFormatError, match="'rois/floc-faces/responses' is damaged"):
        cache.verify(block_mb=0.1)


def test_damaged_metadata_is_named(tmp_path):
    """Any object header of the cache damaged: an NSDFormatError naming the
    file, never a KeyError or RuntimeError of h5py."""
    path = str(tmp_path / 'subj01.h5')
    write_by_hand(path)
    data = open(path, 'rb').read()
    headers = [i for i in range(len(data)) if data.startswith(b'OHDR', i)]
    assert len(headers) == 9  # the root, 2 groups and 6 datasets
    for start in headers:
        damaged = bytearray(data)
        damaged[start + 12] ^= 0xff
        bad = str(tmp_path / 'bad.h5')
        open(bad, 'wb').write(damaged)
        with pytest.raises(NSDFormatError) as info:
            BrainCache(bad).verify()
        assert info.value.path == bad


def test_cache_without_checksums_is_refused_in_one_line(tmp_path):
    path = str(tmp_path / 'subj01.h5')
    write_by_hand(path)
    bare = str(tmp_path / 'bare.h5')
    with h5py.File(path, 'r') as f, h5py.File(bare, 'w') as out:
        names = []
        f.visititems(lambda name, item: names.append(name) if isinstance(
            item, h5py.Dataset) else None)
        for name in names:
            out[name] = f[name][()]
        out.attrs.update(f.attrs)
    with pytest.raises(NSDFormatError) as info:
        BrainCache(bare)
    assert str(info.value) == (
        f"{bare}: 6 of its 6 datasets lack the checksums (fletcher32) that "
        "mmbrain writes, 'nsd_ids' among them; rebuild it with "
        'tools/dataset_converters/prepare_nsd.py --force')
