"""coco_exclude_nsd.py on a COCO json and an NSD csv built by hand."""
import json
import sys

import pytest
from pycocotools.coco import COCO

CSV = (',cocoId,cocoSplit,nsdId,shared1000\n'
       '0,11,train2017,0,True\n'
       '1,21,val2017,1,False\n')


def instances(image_ids):
    return dict(
        images=[dict(id=i, file_name=f'{i}.jpg', height=10, width=10)
                for i in image_ids],
        annotations=[
            dict(id=n, image_id=i, category_id=1, bbox=[0, 0, 2, 2],
                 area=4, iscrowd=0, segmentation=[[0, 0, 2, 0, 2, 2]])
            for n, i in enumerate(image_ids * 2)
        ],
        categories=[dict(id=1, name='person')])


@pytest.fixture
def run(run_tool):
    """``run(ann_dir, csv)`` runs coco_exclude_nsd.py; its process."""

    def exclude(ann_dir, csv):
        return run_tool([
            sys.executable, 'tools/dataset_converters/coco_exclude_nsd.py',
            str(ann_dir), str(csv)
        ], check=False)

    return exclude


def test_removes_nsd_images_and_their_annotations(tmp_path, run):
    (tmp_path / 'instances_train2017.json').write_text(
        json.dumps(instances([10, 11, 12])))
    (tmp_path / 'instances_val2017.json').write_text(
        json.dumps(instances([20, 21])))
    (tmp_path / 'stim.csv').write_text(CSV)
    proc = run(tmp_path, tmp_path / 'stim.csv')
    assert proc.returncode == 0, proc.stderr
    assert ('train2017: removed 1 NSD images and 2 annotations; 2 images '
            'and 4 annotations left') in proc.stdout
    assert 'val2017: removed 1 NSD images and 2 annotations' in proc.stdout
    train = COCO(str(tmp_path / 'instances_train2017_nonsd.json'))
    assert sorted(train.getImgIds()) == [10, 12]
    assert {a['image_id'] for a in train.dataset['annotations']} == {10, 12}
    val = COCO(str(tmp_path / 'instances_val2017_nonsd.json'))
    assert val.getImgIds() == [20]


def test_mismatched_split_is_an_error(tmp_path, run):
    # the val file given as train: none of train's NSD images is there
    (tmp_path / 'instances_train2017.json').write_text(
        json.dumps(instances([20, 21])))
    (tmp_path / 'instances_val2017.json').write_text(
        json.dumps(instances([20, 21])))
    (tmp_path / 'stim.csv').write_text(CSV)
    proc = run(tmp_path, tmp_path / 'stim.csv')
    assert proc.returncode != 0
    assert 'instances_train2017.json: none of the 1 NSD images' in proc.stderr


def test_missing_file_is_named(tmp_path, run):
    (tmp_path / 'stim.csv').write_text(CSV)
    proc = run(tmp_path, tmp_path / 'stim.csv')
    assert 'instances_train2017.json: file not found' in proc.stderr
