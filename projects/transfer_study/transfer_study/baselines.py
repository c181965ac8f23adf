"""The floors of the demo's downstream tasks: what a predictor that does not
look at the pixels scores (detection), or one that knows only where the
horizon is (segmentation). Random init must clear them for a downstream
score to say anything."""
import glob
import os.path as osp
from typing import Dict, List, Sequence

import cv2
import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from mmbrain.datasets.demo.downstream_writers import ADE20K_CLASS
from .probes import mean_iou


def layout_prior_detections(train: COCO, val: COCO) -> List[dict]:
    """COCO results that know the demo's layout rules but see nothing: for
    every validation image, image quadrant (objects sit one per quadrant)
    and category, a box of the category's median training size (relative
    to the image) at the quadrant's centre, scored by the category's share
    of the training objects. Its AP is what the layout alone is worth."""
    share, size = {}, {}
    for cat in train.getCatIds():
        anns = train.loadAnns(train.getAnnIds(catIds=[cat]))
        share[cat] = len(anns) / len(train.getAnnIds())
        rel = [(a['bbox'][2] / train.imgs[a['image_id']]['width'],
                a['bbox'][3] / train.imgs[a['image_id']]['height'])
               for a in anns]
        size[cat] = np.median(np.array(rel), axis=0) if rel else (0.3, 0.3)
    results = []
    for image in val.imgs.values():
        w, h = image['width'], image['height']
        for qx in (0.25, 0.75):
            for qy in (0.25, 0.75):
                for cat, score in share.items():
                    bw, bh = size[cat][0] * w, size[cat][1] * h
                    x0, y0 = qx * w - bw / 2, qy * h - bh / 2
                    box = [x0, y0, x0 + bw, y0, x0 + bw, y0 + bh, x0, y0 + bh]
                    results.append(
                        dict(image_id=image['id'], category_id=cat,
                             bbox=[x0, y0, bw, bh], segmentation=[box],
                             score=score))
    return results


def coco_ap(val: COCO, results: List[dict], iou_type: str) -> float:
    """COCO AP (%, IoU 0.5:0.95) of ``results`` on ``val``."""
    evaluator = COCOeval(val, val.loadRes(results), iou_type)
    evaluator.evaluate()
    evaluator.accumulate()
    evaluator.summarize()
    return 100. * float(evaluator.stats[0])


def horizon_rows(label: np.ndarray, sky: int, ground: int) -> int:
    """The horizon of an (H, W) label map: the rows in which sky pixels
    outnumber ground pixels (objects lie over both)."""
    return int(((label == sky).sum(1) > (label == ground).sum(1)).sum())


def horizon_predictions(labels: np.ndarray, sky: int, ground: int,
                        true_horizon: bool) -> np.ndarray:
    """(N, H, W) maps of sky above a horizon and ground below: each image's
    own horizon (``true_horizon``) or the middle row."""
    pred = np.full_like(labels, ground)
    for out, label in zip(pred, labels):
        row = (horizon_rows(label, sky, ground) if true_horizon else
               label.shape[0] // 2)
        out[:row] = sky
    return pred


def ade20k_labels(root: str, classes: Sequence[str]) -> np.ndarray:
    """(N, H, W) validation label maps of the demo ADE20K ``root``, as the
    demo UperNet sees them: ``classes`` (ADE20K names) numbered 0..C-1, any
    other label 255 (ignored)."""
    from mmseg.datasets import ADE20KDataset
    ade = ADE20KDataset.METAINFO['classes']
    lut = np.full(256, 255, dtype=np.uint8)
    for i, name in enumerate(classes):
        lut[ade.index(name) + 1] = i
    files = sorted(glob.glob(osp.join(root, 'annotations', 'validation',
                                      '*.png')))
    if not files:
        raise FileNotFoundError(f'no label maps in {root}/annotations/'
                                'validation')
    return np.stack([lut[cv2.imread(f, cv2.IMREAD_UNCHANGED)]
                     for f in files])


def downstream_baselines(data_root: str) -> Dict[str, float]:
    """The demo downstream tasks' floors, in percent: ``layout_APbox`` and
    ``layout_APsegm`` (:func:`layout_prior_detections` on COCO val without
    NSD images), and ``middle_mIoU`` and ``horizon_mIoU``
    (:func:`horizon_predictions` on the ADE20K validation maps, over the
    six demo classes)."""
    ann = osp.join(data_root, 'coco', 'annotations')
    train = COCO(osp.join(ann, 'instances_train2017_nonsd.json'))
    val = COCO(osp.join(ann, 'instances_val2017_nonsd.json'))
    results = layout_prior_detections(train, val)
    out = dict(layout_APbox=coco_ap(val, results, 'bbox'),
               layout_APsegm=coco_ap(val, results, 'segm'))
    classes = tuple(ADE20K_CLASS.values())
    labels = ade20k_labels(osp.join(data_root, 'ade20k'), classes)
    sky, ground = classes.index('sky'), classes.index('earth')
    for name, true in (('middle_mIoU', False), ('horizon_mIoU', True)):
        pred = horizon_predictions(labels, sky, ground, true)
        # -1: the ignored pixels, which mean_iou leaves out
        out[name] = mean_iou(pred, np.where(labels == 255, -1, labels),
                             len(classes))
    return {k: round(v, 2) for k, v in out.items()}
