"""COCO's ``captions_{train,val}2017.json``: the captions of NSD's images.

Every NSD image is a COCO image, named in the stimulus table by its
``cocoId`` and ``cocoSplit``; COCO's captions files (about five captions per
image) are read with plain ``json``, which lets each error name the file and
the annotation (pycocotools' ``COCO`` would print to stdout and stop on an
assertion)::

    ann_dir/                         (data/coco/annotations)
    ├── captions_train2017.json      {"images": [{"id", "file_name"}, ...],
    └── captions_val2017.json         "annotations": [{"id", "image_id",
                                                       "caption"}, ...]}
"""
import json
import os.path as osp
from typing import Dict, List

from .layout import NSDFormatError, require_file
from .stim_info import StimInfo


def captions_path(ann_dir: str, split: str) -> str:
    """The captions file of a COCO split (``train2017`` or ``val2017``)."""
    return osp.join(ann_dir, f'captions_{split}.json')


def load_coco_captions(path: str) -> Dict[int, List[str]]:
    """COCO image id -> its captions, in the file's order, stripped.

    Images listed in ``images`` without an annotation map to an empty list;
    a missing file, bad JSON, a missing ``images``/``annotations`` list or
    an annotation without an integer ``image_id`` and a string ``caption``
    raise :class:`NSDFormatError` naming the file.
    """
    require_file(path)
    try:
        with open(path, encoding='utf-8') as f:
            data = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise NSDFormatError(path, f'not a JSON file ({e})') from None
    if not isinstance(data, dict):
        raise NSDFormatError(path, 'not a COCO captions file (a JSON object '
                             'with "images" and "annotations")')
    for key in ('images', 'annotations'):
        if not isinstance(data.get(key), list):
            raise NSDFormatError(path, f'no "{key}" list; not a COCO '
                                 'captions file')
    captions: Dict[int, List[str]] = {}
    for i, image in enumerate(data['images']):
        if not isinstance(image, dict) or not isinstance(image.get('id'),
                                                         int):
            raise NSDFormatError(path, f'images[{i}] has no integer "id"')
        captions.setdefault(image['id'], [])
    for i, ann in enumerate(data['annotations']):
        if not (isinstance(ann, dict) and isinstance(ann.get('image_id'), int)
                and isinstance(ann.get('caption'), str)):
            raise NSDFormatError(
                path, f'annotations[{i}] needs an integer "image_id" and a '
                'string "caption"; not a COCO captions file (instances '
                'files have no captions)')
        captions.setdefault(ann['image_id'], []).append(ann['caption'].strip())
    return captions


class NSDCaptions:
    """The COCO captions of NSD images, by 0-based nsdId.

    Each split's file is read on first need, and only the splits that the
    images asked for use.

    Args:
        ann_dir (str): The folder of ``captions_{train,val}2017.json``.
        stim_info (StimInfo): The stimulus table (:func:`load_stim_info`),
            which gives each nsdId its ``cocoId`` and ``cocoSplit``.

    Example:
        >>> captions = NSDCaptions('data/coco/annotations', load_stim_info(
        ...     'data/nsd/nsddata/experiments/nsd/nsd_stim_info_merged.csv'))
        >>> captions[0]  # the captions of nsdId 0
        ['A man ...', ...]
    """

    def __init__(self, ann_dir: str, stim_info: StimInfo):
        self.ann_dir = ann_dir
        self.stim_info = stim_info
        self._splits: Dict[str, Dict[int, List[str]]] = {}
        # nsdId -> row of the table (sorted by nsdId, which may have gaps)
        self._rows = {int(n): r for r, n in enumerate(stim_info.nsd_id)}

    def __getitem__(self, nsd_id: int) -> List[str]:
        """The captions (at least one) of the image of ``nsd_id``."""
        if nsd_id not in self._rows:
            raise ValueError(f'nsdId {nsd_id} is not in the stimulus table')
        row = self._rows[nsd_id]
        coco_id = int(self.stim_info.coco_id[row])
        split = str(self.stim_info.coco_split[row])
        path = captions_path(self.ann_dir, split)
        if split not in self._splits:
            self._splits[split] = load_coco_captions(path)
        found = self._splits[split].get(coco_id)
        if not found:
            where = ('is not among its images' if found is None else
                     'has no caption')
            raise NSDFormatError(
                path, f'the image of nsdId {nsd_id} (cocoId {coco_id}, '
                f'cocoSplit {split}) {where}')
        return list(found)
