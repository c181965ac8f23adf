"""Writing the demo's images for the downstream tasks: COCO instances and
ADE20K scene parsing."""
import os
import os.path as osp
import shutil
from typing import Dict, List

import cv2
import numpy as np

from mmbrain.utils.json_io import write_json
from .scenes import CATEGORIES, label_map

# ADE20K class of each region (png values are 1 + the index in its 150
# classes; 0 is "other")
ADE20K_CLASS = {'sky': 'sky', 'ground': 'earth', 'person': 'person',
                'clock': 'clock', 'stop sign': 'signboard', 'car': 'car'}


def write_coco(out: str, images: np.ndarray, scenes: List[Dict],
               coco_ids: np.ndarray, coco_split: List[str]) -> Dict:
    """COCO instances json per split, and the images as jpg files.

    Args:
        images: N (size, size, 3) uint8 RGB images (sizes may differ).
        scenes: :func:`~.scenes.draw_scene` dict of each image.
        coco_ids, coco_split: (N, ) COCO id and split of each image.
    """
    summary = {}
    for split in ('train2017', 'val2017'):
        os.makedirs(osp.join(out, split), exist_ok=True)
        entries, anns = [], []
        for i in np.flatnonzero(np.array(coco_split) == split):
            file_name = f'{coco_ids[i]:012d}.jpg'
            cv2.imwrite(
                osp.join(out, split, file_name),
                cv2.cvtColor(images[i], cv2.COLOR_RGB2BGR),
                [cv2.IMWRITE_JPEG_QUALITY, 95])
            h, w = images[i].shape[:2]
            entries.append(
                dict(id=int(coco_ids[i]), file_name=file_name, height=h,
                     width=w))
            for obj in scenes[i]['objects']:
                poly = obj['polygon']
                x0, y0 = poly.min(0)
                x1, y1 = poly.max(0)
                anns.append(
                    dict(
                        id=len(anns) + 1,
                        image_id=int(coco_ids[i]),
                        category_id=dict(
                            (n, c) for c, n in CATEGORIES)[obj['name']],
                        segmentation=[poly.ravel().round(2).tolist()],
                        area=float(cv2.contourArea(poly)),
                        bbox=[float(x0), float(y0), float(x1 - x0),
                              float(y1 - y0)],
                        iscrowd=0))
        categories = [
            dict(id=c, name=n, supercategory='demo')
            for c, n in sorted(CATEGORIES)
        ]
        os.makedirs(osp.join(out, 'annotations'), exist_ok=True)
        write_json(
            osp.join(out, 'annotations', f'instances_{split}.json'),
            dict(images=entries, annotations=anns, categories=categories),
            indent=None)
        summary[split] = dict(images=len(entries), annotations=len(anns))
    return summary


def write_ade20k(out: str, images: np.ndarray, scenes: List[Dict],
                 split: List[str]) -> Dict:
    """``images/{training,validation}/ADE_*.jpg`` and the label maps in
    ``annotations/``, as ADE20K ships them; ``split`` is each image's COCO
    split (``val2017`` goes to ``validation``)."""
    from mmseg.datasets import ADE20KDataset
    classes = ADE20KDataset.METAINFO['classes']
    labels = {k: classes.index(v) + 1 for k, v in ADE20K_CLASS.items()}
    summary = {}
    for coco_split, ade_split, tag in (('train2017', 'training', 'train'),
                                       ('val2017', 'validation', 'val')):
        index = np.flatnonzero(np.array(split) == coco_split)
        for folder in ('images', 'annotations'):
            # mmseg lists the folder: no file of an earlier demo may stay
            shutil.rmtree(osp.join(out, folder, ade_split), ignore_errors=True)
            os.makedirs(osp.join(out, folder, ade_split))
        for k, i in enumerate(index):
            name = f'ADE_{tag}_{k + 1:08d}'
            cv2.imwrite(
                osp.join(out, 'images', ade_split, name + '.jpg'),
                cv2.cvtColor(images[i], cv2.COLOR_RGB2BGR),
                [cv2.IMWRITE_JPEG_QUALITY, 95])
            cv2.imwrite(
                osp.join(out, 'annotations', ade_split, name + '.png'),
                label_map(scenes[i], images.shape[1], labels))
        summary[ade_split] = len(index)
    return summary
