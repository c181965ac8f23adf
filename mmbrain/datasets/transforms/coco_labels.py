"""The COCO categories of NSD images, as multi-hot target vectors.

Every NSD image is a COCO image, named in the stimulus table
(``nsd_stim_info_merged.csv``) by its ``cocoId`` and ``cocoSplit``; COCO's
instances files list the objects in it. NSD draws its images from both
splits, so both files are given::

    data/coco/annotations/         (the full files, not the _nonsd ones)
    ├── instances_train2017.json
    └── instances_val2017.json

An image's label vector has one entry per category of the files (sorted
by category id, COCO's 80 for the real files), 1 where the image has an
annotation of that category. Crowd annotations (``iscrowd=1``, a group of
objects of one category) count by default, as COCO multi-label training
counts them (ASL's COCO loader, for one) and as
:class:`~..CocoMultiLabelDataset` labels the probes' images: the category
is in the image either way.
"""
import os.path as osp
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, Sequence, Tuple

import numpy as np
from mmcv.transforms import BaseTransform
from pycocotools.coco import COCO

from mmbrain.registry import TRANSFORMS
from ..nsd import NSDFormatError, load_stim_info


@dataclass
class NSDCocoLabels:
    """The label vectors of every image of a stimulus table.

    Attributes:
        nsd_id (np.ndarray): (N,) int64, sorted, the table's nsdIds.
        labels (np.ndarray): (N, C) bool, row n the categories of the image
            of ``nsd_id[n]``.
        category_ids (tuple): The C COCO category ids, sorted.
        classes (tuple): Their C names.
        stim_info (str): The stimulus table they come from.
    """
    nsd_id: np.ndarray
    labels: np.ndarray
    category_ids: tuple
    classes: tuple
    stim_info: str

    def __getitem__(self, nsd_id: int) -> np.ndarray:
        """(C,) float32 multi-hot labels of the image of ``nsd_id``."""
        row = int(np.searchsorted(self.nsd_id, nsd_id))
        if row == len(self.nsd_id) or self.nsd_id[row] != nsd_id:
            raise NSDFormatError(self.stim_info,
                                 f'nsdId {nsd_id} is not in the table')
        return self.labels[row].astype(np.float32)


def _read_instances(path: str) -> COCO:
    """A COCO instances file through pycocotools, with errors that name the
    file."""
    if not osp.isfile(path):
        raise NSDFormatError(
            path, "no COCO instances file (LoadCocoLabels(ann_files=...): "
            "COCO 2017's annotations/instances_{train,val}2017.json)")
    try:
        coco = COCO(path)
    except (ValueError, UnicodeDecodeError, AssertionError, KeyError,
            TypeError) as e:  # bad JSON (a ValueError), not an object, ...
        raise NSDFormatError(
            path, f'not a COCO instances file ({type(e).__name__}: {e})'
        ) from None
    if not coco.cats:
        raise NSDFormatError(
            path, 'no "categories": not a COCO instances file (captions '
            'files have none)')
    return coco


@lru_cache(maxsize=None)
def load_nsd_coco_labels(ann_files: Tuple[str, ...],
                         stim_info: str,
                         with_crowd: bool = True) -> NSDCocoLabels:
    """The labels of every image of the stimulus table ``stim_info`` from
    the instances files ``ann_files``, read once per process (memoised by
    the arguments).

    Raises:
        NSDFormatError: A missing or malformed file, an image in two files,
            or an image of the table in none of them, naming the file(s).
    """
    files = [_read_instances(path) for path in ann_files]
    category_ids = tuple(sorted({c for coco in files for c in coco.cats}))
    column = {c: i for i, c in enumerate(category_ids)}
    names = {c: coco.cats[c].get('name', str(c))
             for coco in files for c in coco.cats}
    # COCO image id -> its file
    owner: Dict[int, int] = {}
    for f, coco in enumerate(files):
        for image_id in coco.imgs:
            if image_id in owner:
                raise NSDFormatError(
                    ann_files[f], f'image {image_id} is also in '
                    f'{ann_files[owner[image_id]]}: give each COCO split '
                    'once')
            owner[image_id] = f
    table = load_stim_info(stim_info)
    labels = np.zeros((len(table.nsd_id), len(category_ids)), dtype=bool)
    for row, (nsd_id, coco_id, split) in enumerate(
            zip(table.nsd_id, table.coco_id, table.coco_split)):
        coco_id = int(coco_id)
        if coco_id not in owner:
            raise NSDFormatError(
                ', '.join(ann_files),
                f'no image {coco_id}, the cocoId of nsdId {nsd_id} '
                f'(cocoSplit {split}) in {stim_info}: give the full COCO '
                '2017 instances files of both splits (not the _nonsd ones)')
        for ann in files[owner[coco_id]].imgToAnns[coco_id]:
            if with_crowd or not ann.get('iscrowd', 0):
                labels[row, column[ann['category_id']]] = True
    return NSDCocoLabels(
        nsd_id=table.nsd_id,
        labels=labels,
        category_ids=category_ids,
        classes=tuple(names[c] for c in category_ids),
        stim_info=stim_info)


@TRANSFORMS.register_module()
class LoadCocoLabels(BaseTransform):
    """Give the sample's image its COCO categories, a multi-hot vector: the
    targets of a multi-label pretraining on the NSD images
    (``ResponseRegressionPretrainer(target='labels')``, whose head gives
    one logit per category).

    The files are read once per process, when the transform is built (in
    the main process, before the dataloader's workers start), so a missing
    file or an NSD image absent from them stops the run at its start.

    Required keys: ``nsd_id``.
    Added keys: ``features`` (the sample's target vectors, as
    ``LoadTargetVectors`` gives them: a list of one (C,) float32 array, 1
    for each category in the image; it replaces any other targets).

    Args:
        ann_files (Sequence[str]): COCO instances files holding every NSD
            image (``instances_train2017.json`` and
            ``instances_val2017.json``); the label vector covers the
            categories of all of them, sorted by id.
        stim_info (str): NSD's ``nsd_stim_info_merged.csv``, which gives
            each nsdId its ``cocoId``.
        with_crowd (bool): Whether a crowd annotation (``iscrowd=1``)
            labels its category. Defaults to True, as COCO multi-label
            practice does.

    Example:
        >>> dict(type='LoadCocoLabels',
        ...      ann_files=['data/coco/annotations/instances_train2017.json',
        ...                 'data/coco/annotations/instances_val2017.json'],
        ...      stim_info='data/nsd/nsddata/experiments/nsd/'
        ...      'nsd_stim_info_merged.csv')
    """

    def __init__(self,
                 ann_files: Sequence[str],
                 stim_info: str,
                 with_crowd: bool = True):
        if (isinstance(ann_files, str) or not ann_files
                or not all(isinstance(f, str) for f in ann_files)):
            raise ValueError('ann_files must be a list of COCO instances '
                             f'files, got {ann_files!r}')
        self.ann_files = tuple(ann_files)
        self.stim_info = stim_info
        self.with_crowd = with_crowd
        self.labels = load_nsd_coco_labels(self.ann_files, stim_info,
                                           with_crowd)

    @property
    def classes(self) -> tuple:
        """The names of the C categories, in the vectors' order."""
        return self.labels.classes

    def transform(self, results: dict) -> dict:
        results['features'] = [self.labels[results['nsd_id']]]
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(ann_files={list(self.ann_files)!r}, '
                f'stim_info={self.stim_info!r}, '
                f'with_crowd={self.with_crowd})')
