"""COCO's captions files read for NSD images, on small files built by hand."""
import json
import os.path as osp

import numpy as np
import pytest

from mmbrain.datasets.nsd import (NSDCaptions, NSDFormatError, StimInfo,
                                  captions_path, load_coco_captions)


def write_captions(folder, split, images, captions):
    """``captions_<split>.json`` in COCO's format: ``images`` ids and
    ``captions`` (image id, text) pairs; returns its path."""
    data = dict(
        info=dict(description='test'),
        images=[dict(id=i, file_name=f'{i:012d}.jpg') for i in images],
        annotations=[
            dict(id=k + 1, image_id=i, caption=text)
            for k, (i, text) in enumerate(captions)
        ])
    path = captions_path(str(folder), split)
    with open(path, 'w') as f:
        json.dump(data, f)
    return path


@pytest.fixture
def ann_dir(tmp_path):
    """train2017: images 11 (two captions), 12 (none), 13 (one);
    val2017: image 21 (one)."""
    write_captions(tmp_path, 'train2017', [11, 12, 13],
                   [(11, 'A dog on a sofa. '), (13, 'Two trains.'),
                    (11, 'A brown dog\n')])
    write_captions(tmp_path, 'val2017', [21], [(21, 'A red bus.')])
    return str(tmp_path)


def stim_info(coco_ids, splits):
    n = len(coco_ids)
    return StimInfo(nsd_id=np.arange(n), coco_id=np.array(coco_ids),
                    coco_split=np.array(splits),
                    shared1000=np.zeros(n, dtype=bool))


def test_captions_by_coco_id_in_file_order(ann_dir):
    captions = load_coco_captions(captions_path(ann_dir, 'train2017'))
    assert captions == {11: ['A dog on a sofa.', 'A brown dog'], 12: [],
                        13: ['Two trains.']}


def test_nsd_ids_find_their_split(ann_dir):
    # nsdId 0 -> cocoId 13 (train), 1 -> 21 (val), 2 -> 11 (train)
    captions = NSDCaptions(
        ann_dir, stim_info([13, 21, 11], ['train2017', 'val2017',
                                          'train2017']))
    assert captions[0] == ['Two trains.']
    assert captions[1] == ['A red bus.']
    assert captions[2] == ['A dog on a sofa.', 'A brown dog']
    captions[2].append('changed')  # a copy: the reader keeps its own
    assert len(captions[2]) == 2


@pytest.mark.parametrize('coco_id,problem', [
    (12, 'has no caption'), (99, 'is not among its images')])
def test_an_image_without_captions_is_named(ann_dir, coco_id, problem):
    captions = NSDCaptions(ann_dir, stim_info([13, coco_id],
                                              ['train2017'] * 2))
    with pytest.raises(ValueError, match=problem) as info:
        captions[1]
    message = str(info.value)
    assert isinstance(info.value, NSDFormatError)
    assert captions_path(ann_dir, 'train2017') in message
    assert 'nsdId 1' in message and f'cocoId {coco_id}' in message


def test_a_missing_file_is_named(ann_dir, tmp_path):
    captions = NSDCaptions(str(tmp_path / 'none'),
                           stim_info([13], ['train2017']))
    with pytest.raises(NSDFormatError, match='file not found') as info:
        captions[0]
    assert osp.join('none', 'captions_train2017.json') in str(info.value)


@pytest.mark.parametrize('text,problem', [
    ('{"images": [', 'not a JSON file'),
    ('[1, 2]', 'not a COCO captions file'),
    ('{"images": []}', 'no "annotations" list'),
    (json.dumps(dict(images=[dict(id=1)], annotations=[
        dict(id=1, image_id=1, bbox=[0, 0, 1, 1])])),
     r'annotations\[0\] needs an integer "image_id" and a string "caption"'),
    (json.dumps(dict(images=[dict(file_name='x.jpg')], annotations=[])),
     r'images\[0\] has no integer "id"'),
])
def test_a_malformed_file_is_named(tmp_path, text, problem):
    path = tmp_path / 'captions_train2017.json'
    path.write_text(text)
    with pytest.raises(NSDFormatError, match=problem) as info:
        load_coco_captions(str(path))
    assert str(path) in str(info.value)


def test_an_nsd_id_outside_the_table(ann_dir):
    with pytest.raises(ValueError, match='nsdId 5 is not in the stimulus'):
        NSDCaptions(ann_dir, stim_info([13], ['train2017']))[5]
