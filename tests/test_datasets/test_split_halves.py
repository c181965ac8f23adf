"""The split halves of the test images (cache version 5): the odd- and
even-numbered trials averaged apart, by hand, written by the preparation
and read through BrainCache; none for a cache without trials."""
import os.path as osp

import h5py
import numpy as np
import pytest

from mmbrain.datasets.nsd import (BrainCache, CacheWriter, NSDFormatError,
                                  prepare_subject)
from mmbrain.datasets.nsd.prepare import split_half_sums, write_averages


def test_split_half_sums_by_hand():
    image_ids = np.array([3, 5, 7])
    # a session: image 5 twice, image 3 once, in this order
    sums, counts = split_half_sums(
        np.array([5, 3, 5]), np.array([[1.], [2], [3]]), image_ids,
        np.zeros(3, np.int64))
    assert sums[..., 0].tolist() == [[2, 1, 0], [0, 3, 0]]
    assert counts.tolist() == [[1, 1, 0], [0, 1, 0]]
    # a later session: image 5's third trial is odd-numbered again
    sums, counts = split_half_sums(
        np.array([7, 5]), np.array([[20.], [10]]), image_ids,
        np.array([1, 2, 0]))
    assert sums[..., 0].tolist() == [[0, 10, 20], [0, 0, 0]]
    assert counts.tolist() == [[0, 1, 1], [0, 0, 0]]


def test_write_averages_splits_trials_in_the_order_shown(tmp_path):
    """3 repeats over 3 sessions, blocks of 4 images: each trial holds its
    place in the whole sequence, so the halves are means of known
    places."""
    rng = np.random.default_rng(0)
    num_images, num_voxels = 10, 3
    trials = rng.permutation(np.repeat(np.arange(num_images), 3))
    shown = {n: [] for n in range(num_images)}  # places, in order
    files = []
    for s, ids in enumerate(np.array_split(np.arange(len(trials)), 3)):
        order = np.argsort(trials[ids], kind='stable')  # as stage 1 sorts
        files.append(str(tmp_path / f'session{s}.h5'))
        with h5py.File(files[-1], 'w') as f:
            f['zscored'] = np.tile(ids[order, None],
                                   (1, num_voxels)).astype(np.float32)
            f['nsd_ids'] = trials[ids][order]
        for place in ids:
            shown[trials[place]].append(place)
    image_ids, counts = np.unique(trials, return_counts=True)
    rows = np.array([1, 2, 4, 5, 9])  # those with halves, across blocks
    columns = np.array([0, 2])
    with h5py.File(tmp_path / 'out.h5', 'w') as out:
        data = out.create_dataset('responses', (num_images, 2), np.float32)
        halves = out.create_dataset('halves', (len(rows), 2, 2), np.float32)
        write_averages(files, [(data, columns)], image_ids, counts, 4,
                       halves=(rows, [halves]))
        expected = [[np.mean(shown[n][0::2]), np.mean(shown[n][1::2])]
                    for n in image_ids[rows]]
        np.testing.assert_allclose(halves[:, :, 0], expected)
        np.testing.assert_allclose(halves[:, :, 1], expected)
        np.testing.assert_allclose(
            data[:, 0], [np.mean(shown[n]) for n in image_ids])


def hand_halves(mini_nsd, subject, ijk):
    """{nsdId: (2, V)}: per image, the mean of its 1st (, 3rd, ...) and of
    its 2nd (, ...) trials' z-scores (per session and voxel, ddof 0), in
    the order shown."""
    shown = {}
    for session in (1, 2):
        stored = mini_nsd.betas(subject, session).astype(np.float64)
        with np.errstate(invalid='ignore'):  # the constant voxel, dropped
            z = (stored - stored.mean(0)) / stored.std(0)  # [T, X, Y, Z]
        for t in range(mini_nsd.trials):
            trial = (session - 1) * mini_nsd.trials + t
            nsd_id = mini_nsd.subjectim[subject - 1][
                mini_nsd.masterordering[trial]]
            shown.setdefault(nsd_id, []).append(z[t][tuple(ijk.T)])
    return {n: np.stack([np.mean(z[0::2], 0), np.mean(z[1::2], 0)])
            for n, z in shown.items()}


def test_prepared_cache_holds_the_test_images_halves(mini_nsd, tmp_path):
    """Mini NSD: the test images 0 and 1 are each shown twice, image 1
    once in each session."""
    root = mini_nsd.build(tmp_path / 'nsd', subjects=(1, ))
    out = str(tmp_path / 'prepared')
    report = prepare_subject(root, 1, out, rois=mini_nsd.rois,
                             progress=False, allow_partial=True)
    assert report['split_half_images'] == 2
    with BrainCache(osp.join(out, 'subj01.h5'), mini_nsd.rois) as cache:
        cache.verify()
        assert cache.half_rows.tolist() == [0, 1]
        assert cache.nsd_ids[cache.half_rows].tolist() == [0, 1]
        for roi in mini_nsd.rois:
            expected = hand_halves(mini_nsd, 1, cache.ijk(roi))
            halves = cache.halves(roi)
            assert halves.shape == (2, 2, len(cache.coords(roi)))
            assert halves.dtype == np.float32
            np.testing.assert_allclose(halves, [expected[0], expected[1]],
                                       rtol=1e-5, atol=1e-6)
            # the halves average to the responses (2 trials: 1 + 1)
            np.testing.assert_allclose(
                halves.mean(1), cache.responses(roi, np.s_[:2]), rtol=1e-5,
                atol=1e-6)
            np.testing.assert_array_equal(cache.halves(roi, [1]),
                                          halves[1:])
        with h5py.File(cache.path, 'r') as f:
            assert f['half_rows'].fletcher32
            assert all(f[f'rois/{roi}/halves'].fletcher32
                       for roi in mini_nsd.rois)


def write_cache(path, half_rows=None, halves_shape=None):
    with CacheWriter(path, np.array([3, 7, 9]),
                     np.array([True, False, True]),
                     half_rows=half_rows) as out:
        out.add_roi('floc-faces', coords=np.ones((2, 3)))[...] = 1
        if half_rows is not None:
            out.add_halves('floc-faces')[...] = 2
        out.finish(1, ['floc-faces'], '/raw', {})
    if halves_shape is not None:  # rewritten wrong, with its checksums
        with h5py.File(path, 'r+') as f:
            del f['rois/floc-faces/halves']
            f.create_dataset('rois/floc-faces/halves', data=np.zeros(
                halves_shape, np.float32), fletcher32=True)


def test_halves_are_read_checked_or_absent(tmp_path):
    path = str(tmp_path / 'subj01.h5')
    write_cache(path, half_rows=np.array([0, 2]))
    with BrainCache(path) as cache:
        assert cache.halves('floc-faces').tolist() == [[[2, 2]] * 2] * 2
    # no test image shown twice: an empty set of halves, not None
    write_cache(path, half_rows=np.zeros(0, np.int64))
    with BrainCache(path) as cache:
        cache.verify()
        assert cache.halves('floc-faces').shape == (0, 2, 2)
    # a cache without trials (as Algonauts writes it): no halves at all
    write_cache(path)
    with BrainCache(path) as cache:
        assert cache.half_rows is None and cache.halves('floc-faces') is None
    write_cache(path, half_rows=np.array([0, 2]), halves_shape=(2, 2, 3))
    with pytest.raises(NSDFormatError, match=r"'rois/floc-faces/halves' "
                       r'must have shape \(2, 2, 2\), got \(2, 2, 3\)'):
        BrainCache(path)
    with pytest.raises(ValueError, match='half_rows must be increasing'):
        write_cache(path, half_rows=np.array([2, 0]))
    assert sorted(p.name for p in tmp_path.iterdir()) == ['subj01.h5']
