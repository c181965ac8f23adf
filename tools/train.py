"""Train with any mmbrain, mmdet or mmseg config.

The config's ``default_scope`` picks the library whose registries build it;
importing mmbrain first applies :mod:`mmbrain.compat` (resume on current
PyTorch). Example::

    python tools/train.py configs/pretrain/brainformer_convnext_s.py
    python tools/train.py CONFIG --resume             # latest in work dir
    python tools/train.py CONFIG --amp --cfg-options train_dataloader.batch_size=32

``--tensorboard`` logs the curves to TensorBoard too (``tensorboard
--logdir WORK_DIR``). ``--amp`` trains in bfloat16 where the device has it
(no loss scaler: :class:`mmbrain.engine.AutocastOptimWrapper`), else
float16 with dynamic loss scaling (mmengine's ``AmpOptimWrapper``); ``--amp fp16`` or ``--amp
bf16`` chooses.
"""
import argparse
import os

import torch
from mmengine.config import DictAction
from mmengine.logging import print_log
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

import mmbrain  # noqa: F401  (applies mmbrain.compat)
from mmbrain.utils import (add_tensorboard, check_train_batches,
                           load_tool_config, report_user_errors)
from mmbrain.utils.checkpoint import (CheckpointError, checkpoint_problem,
                                      resume_checkpoint)


def parse_args():
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--amp',
        nargs='?',
        const='auto',
        choices=['auto', 'bf16', 'fp16'],
        help='mixed precision: bf16 (no loss scaler) where the device has '
        'it, else fp16 with dynamic loss scaling; or the dtype given')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from this checkpoint, or without a path from the latest '
        'checkpoint in the work dir (the one saved before it, with a warning, '
        'if the latest is damaged)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, e.g. key=value '
        'optim_wrapper.optimizer.lr=1e-4 a.b="[1,2]"')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument(
        '--tensorboard',
        action='store_true',
        help='also log the training curves to TensorBoard (tensorboard '
        '--logdir WORK_DIR)')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def set_amp(optim_wrapper, amp: str):
    """Make ``optim_wrapper`` (a config) train in mixed precision."""
    wrapper = optim_wrapper.get('type', 'OptimWrapper')
    if wrapper not in ('OptimWrapper', 'AmpOptimWrapper',
                       'AutocastOptimWrapper'):
        raise ValueError('--amp needs optim_wrapper.type OptimWrapper, '
                         f'the config has {wrapper}')
    if amp == 'auto':
        amp = ('bf16' if not torch.cuda.is_available()
               or torch.cuda.is_bf16_supported() else 'fp16')
    if amp == 'bf16':
        optim_wrapper.pop('loss_scale', None)
        optim_wrapper.update(type='AutocastOptimWrapper', dtype='bfloat16')
    else:
        optim_wrapper.update(type='AmpOptimWrapper', dtype='float16')
        optim_wrapper.setdefault('loss_scale', 'dynamic')
    print_log(f'--amp: {amp} ({optim_wrapper.type})', logger='current')


@report_user_errors
def main():
    args = parse_args()
    cfg = load_tool_config(args.config, args.launcher, args.cfg_options,
                           args.work_dir)
    if args.amp:
        set_amp(cfg.optim_wrapper, args.amp)
    if args.tensorboard:
        add_tensorboard(cfg)
    if args.resume is not None:
        cfg.resume = True
        cfg.load_from = (resume_checkpoint(cfg.work_dir)
                         if args.resume == 'auto' else args.resume)
        problem = cfg.load_from and checkpoint_problem(cfg.load_from)
        if problem:
            raise CheckpointError(cfg.load_from, problem)
    runner = (Runner.from_cfg(cfg)
              if 'runner_type' not in cfg else RUNNERS.build(cfg))
    check_train_batches(runner)
    runner.train()


if __name__ == '__main__':
    main()
