"""COCO images with the categories in them, for multi-label probes."""
import os.path as osp
from typing import List

from mmengine.dataset import BaseDataset
from pycocotools.coco import COCO

from mmbrain.registry import DATASETS, TRANSFORMS


@DATASETS.register_module()
class CocoMultiLabelDataset(BaseDataset):
    """COCO images labelled by the categories present in them, from a COCO
    instances file (``instances_val2017_nonsd.json``, or the demo's), for
    multi-label probes of frozen features.

    Each data info holds ``img_path`` and ``gt_label``: the sorted indices,
    into ``metainfo['classes']`` (the file's categories in id order), of
    the categories that have an annotation in the image. Images without
    annotations are kept, with no label.

    Args:
        ann_file (str): The instances json, relative to ``data_root``.
        data_prefix (dict): ``img_path``: the images' folder, relative to
            ``data_root``.
        pipeline (list): Transforms, from mmbrain's registry (which holds
            mmcv's and mmpretrain's through its parents).
    """

    def __init__(self, ann_file: str, data_root: str = '',
                 data_prefix: dict = dict(img_path=''), **kwargs):
        kwargs['pipeline'] = [
            TRANSFORMS.build(t) if isinstance(t, dict) else t
            for t in kwargs.get('pipeline', [])
        ]
        super().__init__(ann_file=ann_file, data_root=data_root,
                         data_prefix=data_prefix, **kwargs)

    def load_data_list(self) -> List[dict]:
        coco = COCO(self.ann_file)
        category_ids = sorted(coco.getCatIds())
        index = {c: i for i, c in enumerate(category_ids)}
        self._metainfo['classes'] = tuple(
            coco.loadCats(c)[0]['name'] for c in category_ids)
        data_list = []
        for image_id in sorted(coco.getImgIds()):
            image = coco.loadImgs(image_id)[0]
            labels = {index[a['category_id']]
                      for a in coco.imgToAnns[image_id]}
            data_list.append(dict(
                img_path=osp.join(self.data_prefix['img_path'],
                                  image['file_name']),
                img_id=image_id,
                gt_label=sorted(labels)))
        return data_list
