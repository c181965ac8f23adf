"""prepare_subject: z-scoring, repeat averaging, dropping, resuming."""
import os
import os.path as osp
import shutil

import h5py
import numpy as np
import pytest

from mmbrain.datasets.nsd import BrainCache, NSDFormatError, layout
from mmbrain.datasets.nsd.prepare import (average_repeats, inputs,
                                          prepare_subject, sessions,
                                          write_averages, zscore_session)


def rewrite_keeping_size_and_time(path, damage):
    """``damage(path)``, then the file's modification time set back; its
    size must not change."""
    stat = os.stat(path)
    damage(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert os.stat(path).st_size == stat.st_size


def test_zscore_by_hand():
    betas = np.array([[1., 2, 0], [3, 2, np.nan], [5, 2, 1]])
    z, bad = zscore_session(betas)
    s = (8 / 3)**0.5  # std of 1, 3, 5 with ddof 0
    np.testing.assert_allclose(z[:, 0], [-2 / s, 0, 2 / s], rtol=1e-6)
    assert bad.tolist() == [False, True, True]  # constant, NaN
    assert not np.isnan(z).any()


def test_average_repeats_by_hand():
    sums, counts = average_repeats(
        np.array([5, 3, 5, 7]), np.array([[1.], [2], [3], [4]]),
        np.array([3, 5, 7, 9]))
    assert sums.ravel().tolist() == [2, 4, 4, 0]
    assert counts.tolist() == [1, 2, 1, 0]


def test_prepared_cache_matches_hand_computation(mini_nsd, tmp_path):
    root = mini_nsd.build(tmp_path / 'nsd')
    out = str(tmp_path / 'prepared')
    report = prepare_subject(root, 1, out, rois=mini_nsd.rois, progress=False, allow_partial=True)
    assert report['rois']['prf-visualrois'] == dict(
        voxels=3, dropped=1, kept=2)
    assert report['rois']['floc-faces'] == dict(voxels=2, dropped=0, kept=2)
    assert (report['images'], report['trials']) == (4, 8)
    assert not osp.exists(osp.join(out, 'subj01_trials'))

    with h5py.File(osp.join(out, 'subj01.h5'), 'r') as f:
        assert f['nsd_ids'][()].tolist() == [0, 1, 2, 3]
        assert f['shared1000'][()].tolist() == [True, True, False, False]
        assert f['num_repeats'][()].tolist() == [2, 2, 2, 2]
        for roi in mini_nsd.rois:
            ijk = f[f'rois/{roi}/ijk'][()]
            # the constant voxel (2, 1, 1) is gone, order is C order
            kept = sorted(v for v in mini_nsd.roi_ijk[roi] if v != (2, 1, 1))
            assert ijk.tolist() == [list(v) for v in kept]
            ids, expected = mini_nsd.expected_responses(1, kept)
            assert ids == [0, 1, 2, 3]
            np.testing.assert_allclose(
                f[f'rois/{roi}/responses'][()], expected, rtol=1e-5,
                atol=1e-6)
            i, j, k = np.array(kept).T  # affine: (2j+1, i+2, 3k+4)
            np.testing.assert_allclose(f[f'rois/{roi}/coords'][()],
                                       np.stack([2 * j + 1, i + 2, 3 * k + 4],
                                                1))


def test_interrupted_run_resumes_without_redoing_sessions(mini_nsd, tmp_path,
                                                          monkeypatch):
    root = mini_nsd.build(tmp_path / 'nsd')
    out = str(tmp_path / 'prepared')
    reference = prepare_subject(
        root, 1, str(tmp_path / 'reference'), rois=mini_nsd.rois, progress=False, allow_partial=True)

    calls = []
    real_read = sessions.read_session_betas

    def dies_on_second_session(path, *args):
        calls.append(path)
        if len(calls) == 2:
            raise KeyboardInterrupt('killed')
        return real_read(path, *args)

    monkeypatch.setattr(sessions, 'read_session_betas', dies_on_second_session)
    with pytest.raises(KeyboardInterrupt):
        prepare_subject(root, 1, out, rois=mini_nsd.rois, progress=False, allow_partial=True)
    assert os.listdir(osp.join(out, 'subj01_trials')) == ['session01.h5']
    assert not osp.exists(osp.join(out, 'subj01.h5'))

    calls.clear()
    report = prepare_subject(root, 1, out, rois=mini_nsd.rois, progress=False, allow_partial=True)
    assert report['sessions_reused'] == 1
    assert [osp.basename(p) for p in calls] == ['betas_session02.hdf5']
    with h5py.File(osp.join(out, 'subj01.h5'), 'r') as a, h5py.File(
            osp.join(tmp_path, 'reference', 'subj01.h5'), 'r') as b:
        for roi in mini_nsd.rois:
            np.testing.assert_array_equal(a[f'rois/{roi}/responses'][()],
                                          b[f'rois/{roi}/responses'][()])

    again = prepare_subject(root, 1, out, rois=mini_nsd.rois, progress=False, allow_partial=True)
    assert again['reused'] and again['rois'] == reference['rois']


def test_keep_trials(mini_nsd, tmp_path):
    root = mini_nsd.build(tmp_path / 'nsd')
    out = str(tmp_path / 'prepared')
    prepare_subject(root, 1, out, rois=mini_nsd.rois, keep_trials=True,
                    progress=False, allow_partial=True)
    with h5py.File(osp.join(out, 'subj01_trials', 'session02.h5'), 'r') as f:
        assert f['zscored'].shape == (4, 4)  # 4 trials x union of voxels
        # trials [3, 1, 2, 3], rows sorted by nsdId
        assert f['nsd_ids'][()].tolist() == [1, 2, 3, 3]
        assert f['trial'][()].tolist() == [1, 2, 0, 3]


def test_force_rebuilds_from_the_raw_files(mini_nsd, tmp_path):
    """``force`` ignores kept session files: a stale one (here tampered
    with) does not reach the rebuilt cache."""
    root = mini_nsd.build(tmp_path / 'nsd')
    out = str(tmp_path / 'prepared')
    prepare_subject(root, 1, out, rois=mini_nsd.rois, keep_trials=True,
                    progress=False, allow_partial=True)
    with h5py.File(osp.join(out, 'subj01.h5'), 'r') as f:
        before = {k: f[f'rois/{k}/responses'][()] for k in mini_nsd.rois}
    with h5py.File(osp.join(out, 'subj01_trials', 'session01.h5'),
                   'r+') as f:
        f['zscored'][...] = 7.0
    prepare_subject(root, 1, out, rois=mini_nsd.rois, progress=False, force=True, allow_partial=True)
    with h5py.File(osp.join(out, 'subj01.h5'), 'r') as f:
        for k in mini_nsd.rois:
            np.testing.assert_array_equal(f[f'rois/{k}/responses'][()],
                                          before[k])


def test_missing_roi_is_named(mini_nsd, tmp_path):
    root = mini_nsd.build(tmp_path / 'nsd', subjects=(1, ))
    os.remove(layout.roi_path(root, 1, 'floc-faces'))
    with pytest.raises(NSDFormatError,
                       match=r"subj01/func1pt8mm/roi: no ROI mask "
                       r"floc-faces.nii.gz for 'floc-faces'; the masks here "
                       r"are \['prf-visualrois'\]"):
        prepare_subject(root, 1, str(tmp_path / 'p'), rois=mini_nsd.rois,
                        progress=False, allow_partial=True)


def test_unknown_subject_and_roi(tmp_path):
    with pytest.raises(ValueError, match='unknown NSD subject 0'):
        prepare_subject(str(tmp_path), 0, str(tmp_path))
    with pytest.raises(ValueError, match="bad ROI 'floc-faces:FFA-1,'"):
        prepare_subject(str(tmp_path), 1, str(tmp_path),
                        rois=['floc-faces:FFA-1,'])


def test_missing_sessions_are_named(mini_nsd, tmp_path):
    root = mini_nsd.build(tmp_path / 'nsd', subjects=(1, ))
    os.remove(layout.betas_path(root, 1, 1))
    with pytest.raises(NSDFormatError, match='without gaps'):
        prepare_subject(root, 1, str(tmp_path / 'p'), rois=mini_nsd.rois,
                        progress=False, allow_partial=True)


def test_nsd_id_missing_from_stim_info(mini_nsd, tmp_path):
    root = mini_nsd.build(tmp_path / 'nsd', subjects=(2, ))
    lines = open(layout.stim_info_path(root)).read().splitlines()
    with open(layout.stim_info_path(root), 'w') as f:
        f.write('\n'.join(lines[:6]) + '\n')  # keeps nsdIds 0..4
    with pytest.raises(NSDFormatError, match=r'nsdIds \[5\] of subject 2'):
        prepare_subject(root, 2, str(tmp_path / 'p'), rois=mini_nsd.rois,
                        progress=False, allow_partial=True)


def test_ncsnr_is_stored_for_kept_voxels(mini_nsd, tmp_path):
    import nibabel as nib
    root = mini_nsd.build(tmp_path / 'nsd', subjects=(1, ))
    volume = np.arange(np.prod(mini_nsd.shape), dtype=np.float32).reshape(mini_nsd.shape)
    nib.save(nib.Nifti1Image(volume, mini_nsd.affine), layout.ncsnr_path(root, 1))
    out = str(tmp_path / 'p')
    prepare_subject(root, 1, out, rois=mini_nsd.rois, progress=False, allow_partial=True)
    with h5py.File(osp.join(out, 'subj01.h5'), 'r') as f:
        for roi in mini_nsd.rois:
            i, j, k = f[f'rois/{roi}/ijk'][()].T
            np.testing.assert_array_equal(f[f'rois/{roi}/ncsnr'][()],
                                          volume[i, j, k])
    nib.save(nib.Nifti1Image(volume[:2], mini_nsd.affine), layout.ncsnr_path(root, 1))
    with pytest.raises(NSDFormatError, match='volume shape'):
        prepare_subject(root, 1, out, rois=mini_nsd.rois, progress=False, force=True, allow_partial=True)


def test_partial_subject_is_refused_unless_allowed(mini_nsd, tmp_path):
    root = mini_nsd.build(tmp_path / 'nsd', subjects=(1, ))
    with pytest.raises(NSDFormatError,
                       match='2 of the 40 sessions of NSD subject 1: sessions '
                       '3-40 are missing .* --allow-partial'):
        prepare_subject(root, 1, str(tmp_path / 'p'), rois=mini_nsd.rois,
                        progress=False)
    report = prepare_subject(root, 1, str(tmp_path / 'p'), rois=mini_nsd.rois,
                             progress=False, allow_partial=True)
    assert report['missing_sessions'] == list(range(3, 41))


def test_reuse_checks_roi_groups_and_raw_files(mini_nsd, tmp_path):
    root = mini_nsd.build(tmp_path / 'nsd', subjects=(1, ))
    out = str(tmp_path / 'p')
    kwargs = dict(progress=False, allow_partial=True)
    prepare_subject(root, 1, out, rois=mini_nsd.rois, **kwargs)
    assert prepare_subject(root, 1, out, rois=mini_nsd.rois[:1], **kwargs)['reused']
    shutil.copy(layout.roi_path(root, 1, 'floc-faces'),
                layout.roi_path(root, 1, 'floc-bodies'))
    with pytest.raises(NSDFormatError,
                       match=r"subj01.h5: is complete, but it lacks ROIs "
                       r"\[.floc-bodies.\]"):
        prepare_subject(root, 1, out, rois=mini_nsd.rois + ('floc-bodies', ),
                        **kwargs)

    import h5py
    raw = layout.betas_path(root, 1, 2)
    with h5py.File(raw, 'r+') as f:
        f['betas'][0] += 1
    with pytest.raises(NSDFormatError,
                       match='changed since .*betas_session02.hdf5'):
        prepare_subject(root, 1, out, rois=mini_nsd.rois, **kwargs)
    report = prepare_subject(root, 1, out, rois=mini_nsd.rois, force=True, **kwargs)
    assert not report['reused']
    assert prepare_subject(root, 1, out, rois=mini_nsd.rois, **kwargs)['reused']


def test_kept_session_of_a_changed_raw_file_is_redone(mini_nsd, tmp_path,
                                                     monkeypatch):
    root = mini_nsd.build(tmp_path / 'nsd', subjects=(1, ))
    out = str(tmp_path / 'p')
    kwargs = dict(rois=mini_nsd.rois, progress=False, allow_partial=True)
    real_read = sessions.read_session_betas

    def dies_on_second_session(path, *args):
        if path.endswith('02.hdf5'):
            raise KeyboardInterrupt('killed')
        return real_read(path, *args)

    monkeypatch.setattr(sessions, 'read_session_betas', dies_on_second_session)
    with pytest.raises(KeyboardInterrupt):
        prepare_subject(root, 1, out, **kwargs)
    monkeypatch.undo()

    import h5py
    with h5py.File(layout.betas_path(root, 1, 1), 'r+') as f:
        f['betas'][...] = f['betas'][()][::-1]  # a re-download, in order
    report = prepare_subject(root, 1, out, **kwargs)
    assert report['sessions_reused'] == 0
    prepare_subject(root, 1, str(tmp_path / 'fresh'), **kwargs)
    with h5py.File(osp.join(out, 'subj01.h5'), 'r') as a, h5py.File(
            osp.join(tmp_path, 'fresh', 'subj01.h5'), 'r') as b:
        for roi in mini_nsd.rois:
            np.testing.assert_array_equal(a[f'rois/{roi}/responses'][()],
                                          b[f'rois/{roi}/responses'][()])


def peak_traced_averaging(tmp_path, num_images, num_voxels=2000,
                          sessions=4, repeats=3, block_images=64):
    """Peak bytes allocated by write_averages for ``num_images`` images, and
    its output checked against a direct mean."""
    import tracemalloc

    import h5py
    rng = np.random.default_rng(num_images)
    trials = rng.permutation(np.repeat(np.arange(num_images), repeats))
    files = []
    for s, ids in enumerate(np.array_split(trials, sessions)):
        ids = np.sort(ids)  # as stage 1 writes them
        files.append(str(tmp_path / f'{num_images}_{s}.h5'))
        with h5py.File(files[-1], 'w') as f:
            f.create_dataset('zscored', data=np.tile(
                ids[:, None], (1, num_voxels)).astype(np.float32) + s,
                             chunks=(1, num_voxels))
            f['nsd_ids'] = ids
    image_ids, counts = np.unique(trials, return_counts=True)
    columns = np.arange(0, num_voxels, 2)
    with h5py.File(tmp_path / f'{num_images}_out.h5', 'w') as out:
        data = out.create_dataset('responses', (num_images, len(columns)),
                                  np.float32, chunks=(1, len(columns)))
        tracemalloc.start()
        write_averages(files, [(data, columns)], image_ids, counts,
                       block_images)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        # each trial of image n holds n + its session index
        sessions_of = {n: [] for n in image_ids}
        for s, ids in enumerate(np.array_split(trials, sessions)):
            for n in ids:
                sessions_of[n].append(s)
        expected = [n + np.mean(sessions_of[n]) for n in image_ids]
        np.testing.assert_allclose(data[:, 0], expected, rtol=1e-6)
    return peak


def test_averaging_memory_does_not_grow_with_images(tmp_path):
    small = peak_traced_averaging(tmp_path, 200)
    large = peak_traced_averaging(tmp_path, 1600)
    whole = 1600 * 2000 * 8  # one (images x voxels) float64 array
    print(f'peak traced: {small} B at 200 images, {large} B at 1600')
    assert large < 1.2 * small, (small, large)
    assert large < whole / 4, (large, whole)


def test_cache_of_an_older_version_is_rebuilt(mini_nsd, tmp_path):
    import h5py
    root = mini_nsd.build(tmp_path / 'nsd', subjects=(1, ))
    out = str(tmp_path / 'p')
    kwargs = dict(rois=mini_nsd.rois, progress=False, allow_partial=True)
    prepare_subject(root, 1, out, **kwargs)
    path = osp.join(out, 'subj01.h5')
    with h5py.File(path, 'r+') as f:  # a version-4 cache: no split halves
        f.attrs['version'] = 4
        del f['half_rows']
        for roi in mini_nsd.rois:
            del f[f'rois/{roi}/halves']
    with pytest.warns(UserWarning, match='a cache of version 4 .an older '
                      'mmbrain.; rebuilding it as version 5'):
        assert not prepare_subject(root, 1, out, **kwargs)['reused']
    with BrainCache(path) as cache:
        assert cache.half_rows.tolist() == [0, 1]
        assert cache.halves(mini_nsd.rois[0]).shape == (2, 2, 2)
    assert prepare_subject(root, 1, out, **kwargs)['reused']


def test_damaged_cache_is_not_reused(mini_nsd, tmp_path, flip_chunk_bytes):
    root = mini_nsd.build(tmp_path / 'nsd', subjects=(1, ))
    out = str(tmp_path / 'p')
    kwargs = dict(rois=mini_nsd.rois, progress=False, allow_partial=True)
    prepare_subject(root, 1, out, **kwargs)
    path = osp.join(out, 'subj01.h5')
    rewrite_keeping_size_and_time(
        path, lambda p: flip_chunk_bytes(p, 'rois/floc-faces/responses', 3))
    with pytest.raises(NSDFormatError,
                       match="subj01.h5: dataset 'rois/floc-faces/responses' "
                       r'is damaged \(.*\); rebuild it with tools/'
                       'dataset_converters/prepare_nsd.py --force'):
        prepare_subject(root, 1, out, **kwargs)
    assert not prepare_subject(root, 1, out, force=True, **kwargs)['reused']
    assert prepare_subject(root, 1, out, **kwargs)['reused']


def test_raw_file_changed_in_size_and_time_alone_is_not_reused(
        mini_nsd, tmp_path, flip_chunk_bytes):
    """Bytes of a raw session rewritten in place, its size and modification
    time kept: its cache and its kept session file are both refused."""
    root = mini_nsd.build(tmp_path / 'nsd', subjects=(1, ))
    out = str(tmp_path / 'p')
    kwargs = dict(rois=mini_nsd.rois, progress=False, allow_partial=True)
    prepare_subject(root, 1, out, keep_trials=True, **kwargs)
    rewrite_keeping_size_and_time(
        layout.betas_path(root, 1, 2),
        lambda p: flip_chunk_bytes(p, 'betas', 1, count=2))
    with pytest.raises(NSDFormatError,
                       match=r'changed since \(size, time or content\): '
                       r'\[.nsddata_betas/.*/betas_session02.hdf5.\]'):
        prepare_subject(root, 1, out, **kwargs)
    os.remove(osp.join(out, 'subj01.h5'))
    assert prepare_subject(root, 1, out, **kwargs)['sessions_reused'] == 1


@pytest.mark.parametrize('damage,error', [
    ('csv', r'nsd_stim_info_merged.csv: missing columns \[\'shared1000\'\]'),
    ('header', r'betas_session02.hdf5: dataset \'betas\' must have shape'),
    ('design', r'betas_session02.hdf5: 2 sessions of 4 trials need 8 trials'
     ' in the experiment design, which has 6'),
    ('zero', r'betas_session02.hdf5: every beta of the 4 ROI voxels is zero '
     r'in trials \[0, 1, 2, 3\] of 4 \(an incomplete or damaged download'),
    ('constant', r'betas_session02.hdf5: every beta of the 4 ROI voxels is '
     r'the same value, 0.0233333 in trials \[0, 1, 2, 3\] of 4'),
])
def test_bad_inputs_are_refused_before_any_session_is_read(mini_nsd, 
        tmp_path, monkeypatch, damage, error):
    import scipy.io
    root = mini_nsd.build(tmp_path / 'nsd', subjects=(1, ))
    if damage == 'csv':
        import pandas as pd
        table = pd.read_csv(layout.stim_info_path(root))
        table.drop(columns='shared1000').to_csv(
            layout.stim_info_path(root), index=False)
    elif damage == 'header':
        with h5py.File(layout.betas_path(root, 1, 2), 'r+') as f:
            betas = f['betas'][()]
            del f['betas']
            f['betas'] = betas[:, :-1]
    elif damage in ('zero', 'constant'):
        with h5py.File(layout.betas_path(root, 1, 2), 'r+') as f:
            f['betas'][...] = 0 if damage == 'zero' else 7
    else:
        mat = scipy.io.loadmat(layout.expdesign_path(root))
        mat['masterordering'] = mat['masterordering'][:, :6]
        scipy.io.savemat(layout.expdesign_path(root), mat)

    def no_reading(*args):
        raise AssertionError('a session was read')

    monkeypatch.setattr(sessions, 'read_session_betas', no_reading)
    out = tmp_path / 'p'
    with pytest.raises(NSDFormatError, match=error):
        prepare_subject(root, 1, str(out), rois=mini_nsd.rois, progress=False,
                        allow_partial=True)
    assert os.listdir(out) == []  # no trials folder, no lock


def test_missing_root_is_named_as_such(tmp_path):
    with pytest.raises(NSDFormatError,
                       match='nsd: data root not found'):
        prepare_subject(str(tmp_path / 'nsd'), 1, str(tmp_path / 'p'))


def test_short_disk_is_warned_of_before_the_work(mini_nsd, tmp_path, monkeypatch):
    from collections import namedtuple

    from mmbrain.datasets.nsd import atomic_hdf5
    root = mini_nsd.build(tmp_path / 'nsd', subjects=(1, ))
    usage = namedtuple('usage', 'total used free')
    monkeypatch.setattr(atomic_hdf5.shutil, 'disk_usage',
                        lambda _: usage(10, 10, 100))
    with pytest.warns(UserWarning, match=r'p: 0.0 MiB free, but subject 1 '
                      r'needs about 0.0 MiB'):
        prepare_subject(root, 1, str(tmp_path / 'p'), rois=mini_nsd.rois,
                        progress=False, allow_partial=True)
    # 2 sessions x 4 trials x 4 voxels + (4 images + 2 halves of each of
    # the 2 test images) x (3 + 2) voxels, float32, and 10% for HDF5
    assert inputs.disk_needed(
        inputs.check_inputs(root, 1, mini_nsd.rois, [1, 2]), 2) == int(1.1 * 4 * (
            2 * 4 * 4 + (4 + 2 * 2) * (3 + 2)))


def test_content_digest_samples_a_large_file(tmp_path, monkeypatch):
    """Above WHOLE_FILE_BYTES, the digest reads the first and last MiB and
    64 blocks of 64 KiB: a change there is seen, one between blocks is
    not."""
    monkeypatch.setattr(inputs, 'WHOLE_FILE_BYTES', 2**20)
    size = 16 * 2**20
    path = tmp_path / 'betas_session01.hdf5'
    data = bytearray(np.random.default_rng(0).bytes(size))
    path.write_bytes(data)
    before = inputs.content_digest(str(path), size)
    between_blocks = inputs.EDGE_BYTES + inputs.BLOCK_BYTES + 1000
    for offset, seen in ((5, True), (size - 5, True),
                         (inputs.EDGE_BYTES + 10, True),
                         (between_blocks, False)):
        changed = bytearray(data)
        changed[offset] ^= 1
        path.write_bytes(changed)
        assert (inputs.content_digest(str(path), size) != before) == seen
    path.write_bytes(data[:-1])
    assert inputs.content_digest(str(path), size - 1) != before
