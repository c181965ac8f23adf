"""Brain similarity (RSA) of a frozen backbone with a held-out subject's
responses to the test images, per ROI group, against a split-half ceiling.

    python tools/analysis_tools/brain_similarity.py \
        configs/encoding/ridge_convnext_s_random.py \
        [--checkpoint backbone.pth] [--out metrics.json]

Takes an encoding config: its ``model`` (the pooled features of the ridge
readout) and its ``test_dataloader`` (the shared1000 images of the held-out
subject). The RDMs (correlation distance) of the features and of each ROI
group's responses are compared with ``rsa.method`` (default ``'corr'``,
Pearson of the upper triangles; ``--cfg-options rsa.method=spearman``).
Writes ``rsa/<roi>``, ``rsa_ceiling/<roi>`` (Spearman-Brown corrected
split-half RDM correlation), ``rsa_normalised/<roi>`` (raw / ceiling) and
their means over ROIs, ``rsa/mean`` and ``rsa_normalised/mean``; the
ceiling and normalised values are null for a cache without trials
(Algonauts). Without ``--checkpoint`` the backbone is drawn under the
config's ``randomness.seed`` (or loaded by its ``init_cfg``); with it, an
exported backbone (``tools/model_converters/export_backbone.py``).
"""
import argparse
import os.path as osp

import torch
from mmengine.config import DictAction

from mmbrain.apis import brain_similarity
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
    result = brain_similarity(
        cfg, 'cuda' if torch.cuda.is_available() else 'cpu')
    shapes, seconds = result.shapes, result.seconds
    print(f'{shapes["images"]} of {shapes["test"]} test images scored, '
          f'{shapes["features"]} features, {shapes["voxels"]} voxels; '
          f'features {seconds["features"]:.1f}s, RSA {seconds["rsa"]:.1f}s')
    if not result.ceiling:
        print('no split halves of 3 or more test images in the cache (an '
              'Algonauts cache has no trials): the ceiling and the '
              'normalised values are unavailable (null)')
    width = max(map(len, result.metrics))
    print('\n'.join(f'{k:<{width}}  ' + ('n/a' if v is None else f'{v:.4f}')
                    for k, v in result.metrics.items()))
    out = args.out or osp.join(cfg.work_dir, 'rsa_metrics.json')
    write_json(out, result.metrics)
    print(f'metrics written to {out}')


if __name__ == '__main__':
    main()
