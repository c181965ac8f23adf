"""LoadCocoLabels: the COCO categories of NSD images as multi-hot target
vectors, on a hand-written stimulus table and instances files."""
import json

import numpy as np
import pytest

from mmbrain.datasets.nsd import NSDFormatError
from mmbrain.datasets.transforms import LoadCocoLabels
from mmbrain.utils import UserError

# nsdId, cocoId, cocoSplit: out of nsdId order, as a table may be
STIM_INFO = [(3, 20, 'train2017'), (0, 30, 'train2017'), (1, 40, 'val2017'),
             (2, 10, 'train2017')]


def instances(image_ids, categories, annotations):
    """A COCO instances file: ``annotations`` as (image, category,
    iscrowd)."""
    return dict(
        images=[dict(id=i, file_name=f'{i:012d}.jpg', height=8, width=8)
                for i in image_ids],
        categories=[dict(id=c, name=n) for c, n in categories],
        annotations=[
            dict(id=k, image_id=i, category_id=c, bbox=[0, 0, 1, 1], area=1,
                 iscrowd=crowd)
            for k, (i, c, crowd) in enumerate(annotations, start=1)
        ])


@pytest.fixture
def coco(tmp_path):
    """``(ann_files, stim_info)``: train2017 has images 10 (two clocks), 20
    (nothing) and 30 (a crowd of cars); val2017 has image 40 (a dog and a
    car) and a category that train2017 lacks."""
    train = instances([10, 20, 30], [(5, 'clock'), (2, 'car')],
                      [(10, 5, 0), (10, 5, 0), (30, 2, 1)])
    val = instances([40], [(2, 'car'), (5, 'clock'), (7, 'dog')],
                    [(40, 7, 0), (40, 2, 0)])
    ann_files = []
    for split, data in (('train2017', train), ('val2017', val)):
        path = tmp_path / f'instances_{split}.json'
        path.write_text(json.dumps(data))
        ann_files.append(str(path))
    stim_info = tmp_path / 'nsd_stim_info_merged.csv'
    stim_info.write_text('nsdId,cocoId,cocoSplit,shared1000\n' + ''.join(
        f'{n},{c},{s},False\n' for n, c, s in STIM_INFO))
    return ann_files, str(stim_info)


def labels_of(transform, nsd_id):
    features = transform(dict(nsd_id=nsd_id))['features']
    assert len(features) == 1 and features[0].dtype == np.float32
    return features[0].tolist()


def test_labels_are_the_annotated_categories(coco):
    ann_files, stim_info = coco
    transform = LoadCocoLabels(ann_files=ann_files, stim_info=stim_info)
    # every category of the files, in id order: 2, 5, 7
    assert transform.classes == ('car', 'clock', 'dog')
    assert labels_of(transform, 0) == [1, 0, 0]  # a crowd of cars counts
    assert labels_of(transform, 1) == [1, 0, 1]
    assert labels_of(transform, 2) == [0, 1, 0]  # two clocks: one label
    assert labels_of(transform, 3) == [0, 0, 0]  # nothing annotated
    without_crowd = LoadCocoLabels(ann_files=ann_files, stim_info=stim_info,
                                   with_crowd=False)
    assert labels_of(without_crowd, 0) == [0, 0, 0]
    assert labels_of(without_crowd, 1) == [1, 0, 1]
    # read once per process: a second transform shares the table
    again = LoadCocoLabels(ann_files=ann_files, stim_info=stim_info)
    assert again.labels is transform.labels
    assert 'LoadCocoLabels(ann_files=' in repr(transform)


def test_missing_or_bad_files_are_named(coco, tmp_path):
    ann_files, stim_info = coco
    missing = str(tmp_path / 'instances_test2017.json')
    with pytest.raises(NSDFormatError, match=f'^{missing}: no COCO '
                       'instances file') as error:
        LoadCocoLabels(ann_files=[ann_files[0], missing], stim_info=stim_info)
    assert isinstance(error.value, UserError)
    garbled = tmp_path / 'garbled.json'
    garbled.write_text('{"images": [')
    with pytest.raises(NSDFormatError, match=f'^{garbled}: not a COCO '
                       'instances file'):
        LoadCocoLabels(ann_files=[str(garbled)], stim_info=stim_info)
    captions = tmp_path / 'captions_train2017.json'
    captions.write_text(json.dumps(dict(images=[], annotations=[])))
    with pytest.raises(NSDFormatError, match=f'^{captions}: no '
                       '"categories": not a COCO instances file'):
        LoadCocoLabels(ann_files=[str(captions)], stim_info=stim_info)
    no_table = str(tmp_path / 'none.csv')
    with pytest.raises(NSDFormatError, match=f'^{no_table}: file not found'):
        LoadCocoLabels(ann_files=ann_files, stim_info=no_table)
    with pytest.raises(NSDFormatError, match='also in'):
        LoadCocoLabels(ann_files=[ann_files[0], ann_files[0]],
                       stim_info=stim_info)
    with pytest.raises(ValueError, match='ann_files must be a list'):
        LoadCocoLabels(ann_files=ann_files[0], stim_info=stim_info)


def test_an_nsd_image_absent_from_the_files_is_named(coco, tmp_path):
    ann_files, stim_info = coco
    # val2017 left out: nsdId 1's image (cocoId 40) is in no file
    with pytest.raises(NSDFormatError, match=(
            f'^{ann_files[0]}: no image 40, the cocoId of nsdId 1 '
            f'\\(cocoSplit val2017\\) in {stim_info}')):
        LoadCocoLabels(ann_files=ann_files[:1], stim_info=stim_info)
    transform = LoadCocoLabels(ann_files=ann_files, stim_info=stim_info)
    with pytest.raises(NSDFormatError,
                       match=f'^{stim_info}: nsdId 4 is not in the table'):
        transform(dict(nsd_id=4))
