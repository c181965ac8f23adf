"""Multi-label probes of a frozen backbone: a linear classifier and a kNN
over its pooled features, scored as mAP on COCO-format test images.

    python tools/analysis_tools/probe_multilabel.py \
        configs/probes/coco-multilabel_convnext_s.py \
        [--checkpoint backbone.pth] [--out metrics.json]

Without ``--checkpoint`` the backbone is drawn under the config's
``randomness.seed``; with it, an exported backbone
(``tools/model_converters/export_backbone.py``) is loaded. The linear
probe's weight decay is chosen on a fifth of the training images.
"""
import argparse
import os.path as osp

import torch
from mmengine.config import DictAction

from mmbrain.apis import probe_multilabel
from mmbrain.utils import load_tool_config, report_user_errors, write_json


@report_user_errors
def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--checkpoint', help='an exported backbone')
    parser.add_argument('--work-dir')
    parser.add_argument('--out', help='metrics json (default: work dir)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args()
    cfg = load_tool_config(args.config, 'none', args.cfg_options,
                           args.work_dir)
    if args.checkpoint:
        cfg.model.backbone.init_cfg = dict(
            type='Pretrained', checkpoint=args.checkpoint, prefix='backbone.')
    probe = probe_multilabel(
        cfg, 'cuda' if torch.cuda.is_available() else 'cpu')
    shapes, seconds = probe.shapes, probe.seconds
    print(f'{shapes["train"]} train / {shapes["test"]} test images, '
          f'{shapes["features"]} features, {shapes["classes"]} classes '
          f'scored; features {seconds["features"]:.1f}s, fits '
          f'{seconds["fit"]:.1f}s')
    width = max(map(len, probe.metrics))
    print('\n'.join(f'{k:<{width}}  {v:.4g}'
                    for k, v in probe.metrics.items()))
    out = args.out or osp.join(cfg.work_dir, 'multilabel_metrics.json')
    write_json(out, probe.metrics)
    print(f'metrics written to {out}')


if __name__ == '__main__':
    main()
