"""mmbrain.datasets.CocoMultiLabelDataset: the categories of each image,
from a COCO instances file."""
import json

from mmbrain.datasets import CocoMultiLabelDataset


def test_labels_are_the_annotated_categories(tmp_path):
    instances = dict(
        images=[dict(id=i, file_name=f'{i:012d}.jpg', height=8, width=8)
                for i in (30, 10, 20)],
        categories=[dict(id=5, name='clock'), dict(id=2, name='car')],
        annotations=[
            dict(id=1, image_id=10, category_id=5, bbox=[0, 0, 1, 1],
                 area=1, iscrowd=0),
            dict(id=2, image_id=10, category_id=5, bbox=[1, 1, 1, 1],
                 area=1, iscrowd=0),
            dict(id=3, image_id=10, category_id=2, bbox=[0, 0, 2, 2],
                 area=4, iscrowd=0),
            dict(id=4, image_id=30, category_id=2, bbox=[0, 0, 2, 2],
                 area=4, iscrowd=0),
        ])
    (tmp_path / 'annotations').mkdir()
    (tmp_path / 'annotations' / 'instances.json').write_text(
        json.dumps(instances))
    dataset = CocoMultiLabelDataset(
        ann_file='annotations/instances.json', data_root=str(tmp_path),
        data_prefix=dict(img_path='val2017/'))
    assert dataset.metainfo['classes'] == ('car', 'clock')  # in id order
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    assert [(i['img_id'], i['gt_label']) for i in infos] == [
        (10, [0, 1]), (20, []), (30, [0])]
    assert infos[0]['img_path'] == str(tmp_path / 'val2017' /
                                       '000000000010.jpg')
