"""Where each ROI group looks in an image (the paper's Fig. 6): one PNG per
image with the image and one overlay per ROI.

    python tools/analysis_tools/visualize_roi_attention.py \\
        configs/pretrain/demo/brainformer_convnext_demo.py \\
        work_dirs/demo/seed0/recommended/pretrain/epoch_12.pth \\
        --out-dir work_dirs/roi_attention/recommended

The method follows the model's head (``--method`` overrides it):

- ``roi_pooling='attention'``: the head's own per-ROI attention over the
  last feature map, upsampled to the image (``attention``);
- ``roi_pooling='global'`` (the ``*_paper.py`` configs): Grad-CAM of the ROI
  alignment score p̄^k·q̄^k on the backbone's last output, with q̄^k from the
  image's own fMRI (``Grad-CAM``). Encoders that give no q̄ (MindEye
  without ``roi_tokens``) cannot have it.

Images: ``--images`` takes NSD ids (``nsdId``, 0-based) of the config's
test dataloader's dataset, ``--split`` (default ``test``, the shared1000
images every subject saw) of one ``--subject`` (default: the config's first
subject), so each image comes with that subject's fMRI from the prepared
cache through the config's pipeline and data preprocessor; without
``--images``, the first ``--num-images`` (4) images of that split. Point the
config at other data with ``--cfg-options
test_dataloader.dataset.data_root=...``. Writes
``<out-dir>/nsd<ID>_subj<S>_<method>.png``.
"""
import argparse
import copy
import os
import os.path as osp
import sys

import torch
from mmengine.config import DictAction
from mmengine.dataset import pseudo_collate
from mmengine.runner import load_checkpoint
from mmengine.utils import ProgressBar

import mmbrain  # noqa: F401  (applies mmbrain.compat)
from mmbrain.registry import DATASETS, MODELS
from mmbrain.utils import (load_tool_config, register_all_modules,
                           report_user_errors)
from mmbrain.visualization.roi_attention import (
    METHODS, batch_images, draw_roi_panels, resolve_method, roi_maps,
    save_figure)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='pretraining config')
    parser.add_argument('checkpoint', help='pretraining checkpoint (the '
                        'whole pretrainer, not an exported backbone)')
    parser.add_argument('--out-dir', required=True, help='where the PNGs go')
    parser.add_argument(
        '--images', nargs='+', type=int, metavar='NSD_ID',
        help='NSD ids of images in the split (default: its first '
        '--num-images)')
    parser.add_argument('--num-images', type=int, default=4)
    parser.add_argument('--subject', type=int,
                        help="whose fMRI (default: the config's first "
                        'subject)')
    parser.add_argument('--split', default='test',
                        choices=['test', 'train', 'all'])
    parser.add_argument('--method', default='auto', choices=METHODS,
                        help='auto: attention where the head has it, '
                        'else Grad-CAM')
    parser.add_argument('--device', default='cpu', help='e.g. cuda:0')
    parser.add_argument('--dpi', type=int, default=100)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, e.g. key=value')
    return parser.parse_args(argv)


def build_model(cfg, checkpoint: str, device: str):
    model = MODELS.build(cfg.model)
    try:
        load_checkpoint(model, checkpoint, map_location='cpu', strict=True)
    except RuntimeError as err:
        raise RuntimeError(
            f'{checkpoint} does not fit the model of the config; it must be '
            'a pretraining checkpoint of this config (the whole pretrainer, '
            f'not an exported backbone): {str(err)[:800]}') from err
    return model.to(device).eval()


def build_dataset(cfg, split: str, subject=None):
    """The config's test dataset, on ``split`` and one subject."""
    data_cfg = copy.deepcopy(cfg.test_dataloader.dataset)
    subjects = list(data_cfg.get('subjects') or [])
    subject = subject if subject is not None else (
        subjects[0] if subjects else None)
    if subject is None:
        raise ValueError('the config\'s test dataset names no subjects; '
                         'pass --subject')
    data_cfg.update(split=split, subjects=[subject])
    return DATASETS.build(data_cfg), subject


def select(dataset, nsd_ids, num_images: int):
    """Indices of the dataset's samples of ``nsd_ids`` (in that order), or
    of its first ``num_images``."""
    if not nsd_ids:
        return list(range(min(num_images, len(dataset))))
    index = {dataset.get_data_info(i)['nsd_id']: i
             for i in range(len(dataset))}
    missing = [i for i in nsd_ids if i not in index]
    if missing:
        some = sorted(index)[:10]
        raise ValueError(
            f'nsdIds {missing} are not in the {dataset.split} split of '
            f'subject {dataset.subjects[0]} ({len(index)} images, e.g. '
            f'{some})')
    return [index[i] for i in nsd_ids]


@report_user_errors
def main(argv=None):
    args = parse_args(argv)
    cfg = load_tool_config(args.config, 'none', args.cfg_options)
    register_all_modules()
    dataset, subject = build_dataset(cfg, args.split, args.subject)
    indices = select(dataset, args.images, args.num_images)
    model = build_model(cfg, args.checkpoint, args.device)
    method = resolve_method(model, args.method)
    rois = list(dataset.metainfo['rois'])
    if len(rois) != model.head.num_rois:
        raise ValueError(f'the dataset has {len(rois)} ROI groups {rois}, '
                         f'the head {model.head.num_rois}')
    os.makedirs(args.out_dir, exist_ok=True)
    name = osp.splitext(osp.basename(args.config))[0]

    bar = (ProgressBar(len(indices), file=sys.stdout)
           if len(indices) > 2 else None)
    written, feature_size = [], None
    for i in indices:
        batch = pseudo_collate([dataset[i]])
        data = model.data_preprocessor(batch, False)
        if method == 'attention' and feature_size is None:
            with torch.no_grad():
                feature_size = tuple(
                    model.extract_feat(data['inputs']['img']).shape[-2:])
        maps, _ = roi_maps(model, data['inputs'], method)
        nsd_id = batch['data_samples'][0].metainfo['nsd_id']
        fig = draw_roi_panels(
            batch_images(batch)[0], maps[0], rois, method,
            title=f'nsdId {nsd_id}, subject {subject} ({args.split} split)'
            f' - {name}',
            feature_size=feature_size)
        out = osp.join(args.out_dir,
                       f'nsd{nsd_id:05d}_subj{subject:02d}_{method}.png')
        save_figure(fig, out, args.dpi)
        written.append(out)
        if bar is not None:
            bar.update()
    if bar is not None:
        print()
    print('\n'.join(written))
    return written


if __name__ == '__main__':
    main()
