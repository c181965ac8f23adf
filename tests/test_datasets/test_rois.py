"""Any mask of the roi/ folder, narrowed to labels named by NSD's label
tables: reading, preparing and loading them."""
import os
import os.path as osp

import nibabel as nib
import numpy as np
import pytest

from mmbrain.datasets import NSDBrainDataset
from mmbrain.datasets.nsd import (BrainCache, NSDFormatError, layout,
                                  prepare_subject)
from mmbrain.datasets.nsd.rois import load_label_table, load_roi_voxels

# labels of a 3 x 2 x 2 mask: 2 voxels of label 1, 3 of 2, 1 of 4
LABELS = np.array([[[1, 0], [2, 2]], [[-1, 1], [4, 0]], [[2, 0], [0, 0]]],
                  dtype=np.int32)


@pytest.fixture
def faces_mask(tmp_path):
    """``(mask, ctab)`` paths: :data:`LABELS` and a label table naming
    1-3 (as NSD ships it, with a comment and colour columns)."""
    mask = str(tmp_path / 'floc-faces.nii.gz')
    nib.save(nib.Nifti1Image(LABELS, np.eye(4)), mask)
    ctab = tmp_path / 'floc-faces.mgz.ctab'
    ctab.write_text('# floc-faces\n0 Unknown 0 0 0 0\n1  OFA 255 0 0 0\n'
                    '\n2 FFA-1\n3 FFA-2  # absent from this mask\n')
    return mask, str(ctab)


def test_label_table(faces_mask, tmp_path):
    assert load_label_table(faces_mask[1]) == {
        0: 'Unknown', 1: 'OFA', 2: 'FFA-1', 3: 'FFA-2'}
    bad = tmp_path / 'bad.mgz.ctab'
    bad.write_text('0 Unknown\nFFA-1 2\n')
    with pytest.raises(NSDFormatError,
                       match=r"bad.mgz.ctab: line 2 is not \"<label> <name> "
                       r"...\": 'FFA-1 2'"):
        load_label_table(str(bad))


def test_parse_roi():
    assert layout.parse_roi('nsdgeneral') == ('nsdgeneral', None)
    assert layout.parse_roi('floc-faces:FFA-1, 2') == ('floc-faces',
                                                       ('FFA-1', '2'))
    for bad in ('', ':FFA-1', 'floc-faces:', 'floc-faces:FFA-1,FFA-1',
                'roi/nsdgeneral', 3):
        with pytest.raises(ValueError, match='ROI'):
            layout.parse_roi(bad)


def test_narrowed_by_name_or_number(faces_mask):
    mask, ctab = faces_mask
    whole = load_roi_voxels(mask, table_path=ctab)
    # C order of the voxels labelled > 0
    assert whole.ijk.tolist() == [[0, 0, 0], [0, 1, 0], [0, 1, 1], [1, 0, 1],
                                  [1, 1, 0], [2, 0, 0]]
    assert whole.labels.tolist() == [1, 2, 2, 1, 4, 2]
    # label 4 is not in the table: named by its number
    assert whole.label_names == {1: 'OFA', 2: 'FFA-1', 4: '4'}
    ffa = load_roi_voxels(mask, ('FFA-1', '4'), ctab)
    assert ffa.ijk.tolist() == [[0, 1, 0], [0, 1, 1], [1, 1, 0], [2, 0, 0]]
    assert ffa.labels.tolist() == [2, 2, 4, 2]
    # without a table, numbers only
    assert load_roi_voxels(mask, ('1', )).label_names == {1: '1'}
    with pytest.raises(NSDFormatError,
                       match=r"no label 'V1v': the labels of .*floc-faces."
                       r"mgz.ctab are \['OFA', 'FFA-1', 'FFA-2'\]"):
        load_roi_voxels(mask, ('V1v', ), ctab)
    with pytest.raises(NSDFormatError,
                       match=r"label 'FFA-2' \(3\) has no voxel; the mask "
                       r'has labels \[1, 2, 4\]'):
        load_roi_voxels(mask, ('FFA-2', ), ctab)
    with pytest.raises(NSDFormatError, match="no label 'OFA': there is no "
                       'label table'):
        load_roi_voxels(mask, ('OFA', ), mask + '.ctab')


ROIS = ('nsdgeneral', 'floc-faces:FFA-1,FFA-2', 'floc-faces', 'streams',
        'prf-visualrois', 'floc-bodies', 'floc-places', 'floc-words')


@pytest.fixture(scope='module')
def prepared(small_demo_nsd, tmp_path_factory):
    """The demo subject prepared with nsdgeneral and a narrowed group
    beside the six groups; ``(root, out_dir, report)``."""
    out = str(tmp_path_factory.mktemp('rois_prepared'))
    report = prepare_subject(small_demo_nsd, 1, out, rois=ROIS,
                             progress=False, allow_partial=True)
    return small_demo_nsd, out, report


def mask_of(root, mask):
    return np.asarray(nib.load(layout.roi_path(root, 1, mask)).dataobj)


def test_nsdgeneral_and_narrowed_group(prepared):
    root, out, report = prepared
    dataset = NSDBrainDataset(
        data_root=root, subjects=[1], rois=ROIS[:3], split='all',
        cache_dir=osp.relpath(out, root),
        pipeline=[dict(type='LoadBrainResponses')])
    faces = mask_of(root, 'floc-faces')
    # counted by hand in the masks: the demo's floc-faces labels are 1-3
    # (OFA, FFA-1, FFA-2), nsdgeneral is the six groups' union
    groups = np.any([mask_of(root, g) > 0 for g in layout.ROI_GROUPS], 0)
    by_hand = {'nsdgeneral': int(groups.sum()),
               'floc-faces:FFA-1,FFA-2': int(np.isin(faces, (2, 3)).sum()),
               'floc-faces': int((faces > 0).sum())}
    assert (mask_of(root, 'nsdgeneral') > 0).sum() == by_hand['nsdgeneral']
    for roi, count in by_hand.items():
        kept = report['rois'][roi]
        assert kept['voxels'] == count
        assert kept['kept'] + kept['dropped'] == count
    fmri = dataset[0]['fmri']
    assert [len(f) for f in fmri] == [
        report['rois'][r]['kept'] for r in ROIS[:3]]
    # the same voxels, the same responses, whatever the mask that holds them
    with_ijk = {}
    with BrainCache(dataset.cache_file(1), ROIS) as cache:
        for k, roi in enumerate(ROIS[:3]):
            with_ijk[roi] = dict(zip(map(tuple, cache.ijk(roi)),
                                     fmri[k]))
        union = set().union(*(map(tuple, cache.ijk(g))
                              for g in layout.ROI_GROUPS))
    assert set(with_ijk['nsdgeneral']) == union
    narrowed = {ijk for ijk in with_ijk['floc-faces']
                if faces[ijk] in (2, 3)}
    assert set(with_ijk['floc-faces:FFA-1,FFA-2']) == narrowed
    for ijk, value in with_ijk['floc-faces:FFA-1,FFA-2'].items():
        assert value == with_ijk['floc-faces'][ijk] == \
            with_ijk['nsdgeneral'][ijk]

    # each voxel's area, named by the label table
    areas = dataset.areas(1)
    assert sorted(set(areas[0])) == ['nsdgeneral']
    assert sorted(set(areas[1])) == ['FFA-1', 'FFA-2']
    assert sorted(set(areas[2])) == ['FFA-1', 'FFA-2', 'OFA']
    with BrainCache(dataset.cache_file(1)) as cache:
        named = dict(zip(map(tuple, cache.ijk('floc-faces')),
                         cache.areas('floc-faces')))
    assert all(named[ijk] == {1: 'OFA', 2: 'FFA-1', 3: 'FFA-2'}[faces[ijk]]
               for ijk in named)


def test_unknown_mask_lists_the_masks(small_demo_nsd, tmp_path):
    with pytest.raises(NSDFormatError) as info:
        prepare_subject(small_demo_nsd, 1, str(tmp_path), rois=['nsdgenral'],
                        progress=False, allow_partial=True)
    assert str(info.value) == (
        f'{small_demo_nsd}/nsddata/ppdata/subj01/func1pt8mm/roi: no ROI mask'
        " nsdgenral.nii.gz for 'nsdgenral'; the masks here are "
        "['floc-bodies', 'floc-faces', 'floc-places', 'floc-words', "
        "'nsdgeneral', 'prf-visualrois', 'streams']")


def test_reuse_when_masks_change(prepared, tmp_path):
    root, out, _ = prepared
    # a subset of its ROIs: reused
    report = prepare_subject(root, 1, out, rois=['floc-faces:FFA-1,FFA-2'],
                             progress=False, allow_partial=True)
    assert report['rois']['floc-faces:FFA-1,FFA-2']['voxels'] > 0
    # another narrowing: refused, naming what it lacks
    with pytest.raises(NSDFormatError,
                       match=r"it lacks ROIs \['floc-faces:OFA'\]"):
        prepare_subject(root, 1, out, rois=['floc-faces:OFA'],
                        progress=False, allow_partial=True)
    # a label table renamed since: refused, naming the file
    ctab = layout.label_table_path(root, 1, 'floc-faces')
    text, stat = open(ctab).read(), os.stat(ctab)
    try:
        with open(ctab, 'w') as f:
            f.write(text.replace('OFA', 'OFA-renamed'))
        with pytest.raises(NSDFormatError, match='changed since .*'
                           'floc-faces.mgz.ctab'):
            prepare_subject(root, 1, out, rois=['floc-faces'],
                            progress=False, allow_partial=True)
    finally:  # as it was, for the session's other users of the data
        with open(ctab, 'w') as f:
            f.write(text)
        os.utime(ctab, ns=(stat.st_atime_ns, stat.st_mtime_ns))
