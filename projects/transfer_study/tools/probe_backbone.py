"""Frozen-feature probes of a backbone on freshly drawn demo scenes.

    python projects/transfer_study/tools/probe_backbone.py \
        configs/encoding/demo/ridge_convnext_demo_random.py \
        [--checkpoint work_dirs/demo/seed0/recommended/backbone.pth] \
        [--num-train 1000] [--num-test 2000] [--out probes.json]

The config's ``model.backbone`` (random init under ``--seed``, or the
exported ``--checkpoint``) and its ``data_preprocessor`` mean/std. The
probes (``transfer_study/probes.py``) are fitted on ``--num-train``
scenes and scored, in percent, on ``--num-test`` others: the category in
each image quadrant (linear and kNN), whether a quadrant holds an object,
clock against stop sign, and per-pixel segmentation (mIoU).
``--scenes validation`` draws both sets from other seeds: the scenes on
which a setting is chosen (``select_on_validation.py``), never the study's.
"""
import argparse
import os.path as osp
import sys
import time

# the repository, whose projects/ holds this project
sys.path.insert(
    0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..', '..'))

from mmengine.config import Config, DictAction  # noqa: E402

from mmbrain.apis import seeded_backbone  # noqa: E402
from mmbrain.utils import report_user_errors, write_json
from projects.transfer_study.transfer_study.probes import (  # noqa: E402
    SCENE_SEEDS, majority_baselines, probe_scenes, run_probes)


@report_user_errors
def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--checkpoint', help='an exported backbone')
    parser.add_argument('--num-train', type=int, default=1000)
    parser.add_argument('--num-test', type=int, default=2000)
    parser.add_argument('--size', type=int, default=96,
                        help='scene size in px, a multiple of 8 (the demo '
                        'draws 96); the segmentation probe has a cell per '
                        '8 px')
    parser.add_argument('--seed', type=int, default=0,
                        help='random init of the backbone, and the probe')
    parser.add_argument('--scenes', choices=tuple(SCENE_SEEDS),
                        default='test',
                        help="the study's scenes, or the validation ones")
    parser.add_argument('--out', help='probe scores json')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if args.checkpoint:
        cfg.model.backbone.init_cfg = dict(
            type='Pretrained', checkpoint=args.checkpoint, prefix='backbone.')
    backbone = seeded_backbone(cfg, args.seed)
    began = time.perf_counter()
    # the probe scenes come from seeds of their own, apart from the demo's
    fit_seed, score_seed = SCENE_SEEDS[args.scenes]
    train = probe_scenes(args.num_train, args.size, seed=fit_seed)
    test = probe_scenes(args.num_test, args.size, seed=score_seed)
    scores = run_probes(backbone, train, test, cfg.data_preprocessor.mean,
                        cfg.data_preprocessor.std, grid=args.size // 8,
                        seed=args.seed)
    chance = majority_baselines(test)
    for name, value in scores.items():
        print(f'probe/{name:<24}{value:6.2f}' +
              (f'   (majority class {chance[name]:.2f})'
               if name in chance else ''))
    print(f'{args.num_train} train / {args.num_test} test scenes, '
          f'{time.perf_counter() - began:.1f}s')
    if args.out:
        write_json(args.out, scores)
        print(f'written to {args.out}')


if __name__ == '__main__':
    main()
