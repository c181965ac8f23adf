"""Evaluate a checkpoint with any mmbrain, mmdet or mmseg config.

Prints the metrics of the config's ``test_evaluator`` and writes them as
json; for mmdet and mmseg configs a last line gives APbox, AP50, AP75 and
APsegm, or mIoU, in percent. With ``--corruptions`` it tests again on each
corrupted form of the test images (``imagecorruptions`` through mmdet's
``Corrupt``, seeded per image), as mmdet's ``test_robustness.py`` does for
COCO-C, and gives each headline metric's mPC and rPC. Example::

    python tools/test.py configs/mask_rcnn/CONFIG.py work_dirs/CONFIG/epoch_12.pth
    python tools/test.py configs/upernet/CONFIG.py work_dirs/CONFIG/iter_160000.pth \
        --corruptions benchmark   # 15 corruptions x severities 1-5
"""
import argparse
import os
import os.path as osp

from mmengine.config import DictAction
from mmengine.dist import is_main_process
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

import mmbrain  # noqa: F401  (applies mmbrain.compat)
from mmbrain.apis.robustness import (BENCHMARK_SEVERITIES,
                                     corruption_conditions,
                                     test_under_corruptions)
from mmbrain.evaluation import headline_metrics
from mmbrain.utils import load_tool_config, report_user_errors, write_json


def parse_args():
    parser = argparse.ArgumentParser(description='Test a checkpoint')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='the dir to save logs and metrics')
    parser.add_argument(
        '--out', help='json file for the metrics (default: in the work dir)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, e.g. key=value')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument(
        '--corruptions', nargs='+',
        help="also test under these corruptions, or 'benchmark' (COCO-C's "
        '15)')
    parser.add_argument('--severities', type=int, nargs='+',
                        default=list(BENCHMARK_SEVERITIES),
                        help='of each corruption (default 1-5)')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


@report_user_errors
def main():
    args = parse_args()
    cfg = load_tool_config(args.config, args.launcher, args.cfg_options,
                           args.work_dir)
    cfg.load_from = args.checkpoint

    runner = (Runner.from_cfg(cfg)
              if 'runner_type' not in cfg else RUNNERS.build(cfg))
    metrics = runner.test()

    if is_main_process():
        width = max(map(len, metrics), default=0)
        print('\n'.join(f'{k:<{width}}  {v}' for k, v in metrics.items()))
        headline = headline_metrics(metrics)
        if headline:
            print('  '.join(f'{k} {v:.2f}' for k, v in headline.items()))
    if args.corruptions:
        corruptions = ('benchmark' if args.corruptions == ['benchmark'] else
                       args.corruptions)
        robust = test_under_corruptions(
            cfg, list(corruption_conditions(dict(
                corruptions=corruptions, severities=args.severities))),
            metrics, cfg.get('randomness', {}).get('seed', 0))
        metrics = dict(metrics, **robust)
    if is_main_process():
        for metric, summary in metrics.get('robustness', {}).items():
            print(f'{metric}: mPC {summary["mPC"]:.2f}, rPC '
                  f'{summary["rPC"]:.1f}%')
        out = args.out or osp.join(cfg.work_dir, 'test_metrics.json')
        write_json(out, metrics, default=float)
        print(f'metrics written to {out}')


if __name__ == '__main__':
    main()
