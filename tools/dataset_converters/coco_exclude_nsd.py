"""Write COCO 2017 annotations without the images NSD showed.

    python tools/dataset_converters/coco_exclude_nsd.py \
        data/coco/annotations \
        data/nsd/nsddata/experiments/nsd/nsd_stim_info_merged.csv

Reads ``instances_{train,val}2017.json`` through pycocotools, removes the
images whose id is an NSD ``cocoId`` (and their annotations), and writes
``instances_{train,val}2017_nonsd.json`` beside them (or in ``--out-dir``),
reporting what each split lost. Mask R-CNN trains on train2017 without NSD so
that a brain-pretrained backbone has not seen its test-time images' fMRI;
val2017 is evaluated both whole and without NSD.
"""
import argparse
import os
import os.path as osp

from pycocotools.coco import COCO

from mmbrain.datasets.nsd import load_stim_info
from mmbrain.utils import report_user_errors, write_json

SPLITS = ('train2017', 'val2017')


def exclude_images(coco: COCO, image_ids: set, path: str) -> tuple:
    """The dataset dict without ``image_ids``; and the numbers of images
    and annotations removed. ``path`` names the file in errors."""
    data = coco.dataset
    for key in ('images', 'annotations', 'categories'):
        if key not in data:
            raise ValueError(f'{path}: no "{key}" list; not a COCO '
                             'instances file')
    images = [im for im in data['images'] if im['id'] not in image_ids]
    annotations = [
        a for a in data['annotations'] if a['image_id'] not in image_ids
    ]
    kept = dict(data, images=images, annotations=annotations)
    return (kept, len(data['images']) - len(images),
            len(data['annotations']) - len(annotations))


@report_user_errors
def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('ann_dir', help='folder of instances_*2017.json')
    parser.add_argument('stim_info', help='nsd_stim_info_merged.csv')
    parser.add_argument('--out-dir', help='default: ann_dir')
    parser.add_argument('--suffix', default='_nonsd')
    args = parser.parse_args()
    stim = load_stim_info(args.stim_info)
    out_dir = args.out_dir or args.ann_dir
    os.makedirs(out_dir, exist_ok=True)
    nsd_ids = set(int(i) for i in stim.coco_id)
    for split in SPLITS:
        path = osp.join(args.ann_dir, f'instances_{split}.json')
        if not osp.isfile(path):
            raise FileNotFoundError(f'{path}: file not found')
        coco = COCO(path)
        listed = {
            int(i)
            for i, s in zip(stim.coco_id, stim.coco_split) if s == split
        }
        present = set(coco.getImgIds())
        missing = listed - present
        if listed and len(missing) == len(listed):
            raise ValueError(
                f'{path}: none of the {len(listed)} NSD images that '
                f'{args.stim_info} lists under {split} is in it; is it the '
                f'{split} annotation file?')
        kept, images, annotations = exclude_images(coco, nsd_ids, path)
        out = osp.join(out_dir, f'instances_{split}{args.suffix}.json')
        write_json(out, kept, indent=None)
        print(f'{split}: removed {images} NSD images and {annotations} '
              f'annotations; {len(kept["images"])} images and '
              f'{len(kept["annotations"])} annotations left -> {out}'
              + (f' ({len(missing)} NSD images of this split were not in '
                 'the file)' if missing else ''))


if __name__ == '__main__':
    main()
