"""A rehearsal of the GPU measurements: on one GPU, in at most ten minutes,
what the device does, whether it computes what the CPU does, and how fast
the pretraining step, its backbone and its loader run.

    python tools/misc/gpu_rehearsal.py [--device cuda] \
        [--out work_dirs/gpu_rehearsal] [--budget-s 540] \
        [--data-root data/nsd --subjects 1] [--sections ...] [--tiny]

Sections, run in this order, each guarded (a section that fails records its
error in one line and the others still run):

- ``environment``: torch, CUDA, the GPU, bf16 support, mmcv and whether its
  CUDA ops run, and the measured peak (an 8192^2 bf16 matmul on a GPU, a
  2048^2 fp32 one on the CPU: ``benchmark_utils.dense_peak``).
- ``correctness``: the pretraining config's model at batch 2, on the device
  (fp32 with TF32 off, then bf16 autocast) against the same weights and
  batch in CPU float32: the packed encoder's outputs and gradients (of a
  fixed random projection of its outputs) and the step's loss (the model's
  summed losses, eval mode: no dropout). Each row gives the max abs error,
  the max relative error (the max abs error over the reference's largest
  magnitude) and the tolerance on the latter.
- ``pretrain_eager``: the config's whole training step (``train_step``:
  preprocessor, backbone, encoder, head and losses, backward and AdamW)
  under bf16 autocast, at each ``--batches`` size, on a synthetic batch of
  NSD's voxel counts (``benchmark_pretrain``'s): samples/s, step time and
  its split (backbone forward+backward, encoder forward+backward, the
  optimizer's update, and the rest: preprocessing, head and losses, the
  step less the three), peak memory and MFU: the valid FLOPs per sample
  (the step's forward+backward FLOPs counted by ``torch.utils.
  flop_counter``, the encoder's replaced by the literal Algorithm 1's, as
  ``benchmark_encoder`` credits it) times samples/s over the measured peak.
  A batch that runs out of memory is recorded as ``OOM``.
- ``loader``: samples/s the config's training dataset, pipeline and
  ``collate_fn`` serve with each ``--workers`` count, from ``--data-root``
  (the pre-resized brick where it is there) or else from a synthetic
  NSD-sized cache and pre-resized brick written in a temporary folder by
  the project's writers; over the best step rate measured.
- ``mmcv``: mmcv's RoIAlign and nms on CUDA against the CPU, and one
  Mask R-CNN and one UperNet train step (bf16 autocast, and fp16 AMP as
  their configs train); skipped unless mmcv's CUDA ops run.
- ``ceiling``: the config's backbone alone (forward and backward, bf16
  autocast, channels-last, compiled) at the largest batch: samples/s, MFU,
  and over the best step rate.
- ``pretrain_compiled``: the step of ``pretrain_eager`` under
  ``torch.compile``, its compile time apart (its parts are fused, so it is
  timed whole).

``--budget-s`` bounds the whole run: a section that would start after it
is skipped, and one running when it ends is stopped, both with a note.
Every field of the JSON is there on every device and in every outcome: a
value, or a string that says why not (``skipped: ...``, ``error: ...``,
``OOM``, ``n/a: ...``). ``--tiny`` runs the demo config at tiny sizes
without compiling (``--compile-backend`` to compile), so that on the CPU
the whole script takes well under a minute.

Writes ``rehearsal.json`` and ``rehearsal.md`` to ``--out`` after every
section, prints the Markdown tables, and ends with a machine-readable line
of ``key=value`` pairs.

The sections are in ``rehearsal_sections.py`` and ``rehearsal_mmcv.py``
beside this file, the budget, guard and outputs in ``rehearsal_report.py``;
this file wires them (:data:`SECTIONS`).
"""
import argparse
import os.path as osp
import sys
import time

import torch
from mmengine.config import Config

from mmbrain.utils import register_all_modules

from rehearsal_mmcv import mmcv_ops, mmcv_plan
from rehearsal_report import (Section, git_commit, run_section, summary,
                              write_outputs)
from rehearsal_sections import (Context, batches_plan, ceiling, correctness,
                                correctness_plan, environment, loader,
                                pretrain)

CONFIG = 'configs/pretrain/brainformer_convnext_s.py'
TINY_CONFIG = 'configs/pretrain/demo/brainformer_convnext_demo.py'
TINY_VOXELS = (100, 30, 40, 50, 40, 150)
STEP_FIELDS = ('batch', 'samples_per_s', 'step_ms', 'backbone_ms',
               'encoder_ms', 'optimizer_ms', 'rest_ms', 'compile_s',
               'peak_mem_gb', 'mfu')
STEP_INFO = ('config', 'img_size', 'voxels', 'dtype', 'channels_last',
             'compile_backend', 'gflops_per_sample',
             'valid_gflops_per_sample')
# each section: run(ctx, table) and its table's fields (rehearsal_report)
SECTIONS = [
    Section('environment', 'Environment', environment,
            info=('device', 'torch', 'cuda', 'gpu', 'bf16_supported',
                  'peak_tflops', 'peak_what', 'mmcv', 'mmcv_built_with_cuda',
                  'mmcv_cuda_ops', 'python', 'cpus'),
            fields=()),
    Section('correctness', 'Correctness against CPU float32', correctness,
            info=('config', 'batch', 'img_size', 'voxels', 'reference',
                  'max_rel_err'),
            fields=('check', 'compared', 'max_abs_err', 'max_rel_err',
                    'tolerance', 'passed'),
            plan=correctness_plan),
    Section('pretrain_eager', 'Pretraining step, eager',
            lambda ctx, t: pretrain(ctx, t, compiled=False),
            info=STEP_INFO, fields=STEP_FIELDS, plan=batches_plan),
    Section('loader', 'Loader', loader,
            info=('data', 'build_s', 'subjects', 'samples', 'stimuli',
                  'img_size', 'batch'),
            fields=('workers', 'samples_per_s', 'over_step'),
            plan=lambda ctx: [dict(workers=w) for w in ctx.args.workers],
            derived=('over_step', )),
    Section('mmcv', 'mmcv\'s CUDA ops and the downstream models', mmcv_ops,
            info=('mmcv', 'cuda_ops', 'img_size', 'configs'),
            fields=('check', 'result', 'tolerance', 'passed', 'seconds'),
            plan=mmcv_plan),
    Section('ceiling', 'Ceiling: the backbone alone', ceiling,
            info=('backbone', 'img_size', 'dtype', 'channels_last',
                  'compile_backend', 'gflops_per_sample'),
            fields=('batch', 'samples_per_s', 'step_ms', 'compile_s',
                    'peak_mem_gb', 'mfu', 'over_step'),
            plan=lambda ctx: [dict(batch=max(ctx.args.batches))],
            derived=('over_step', )),
    Section('pretrain_compiled', 'Pretraining step, compiled',
            lambda ctx, t: pretrain(ctx, t, compiled=True),
            info=STEP_INFO, fields=STEP_FIELDS, plan=batches_plan),
]


# the order of the report (the run's puts the costly compiles last, where
# the budget cuts them first)
SHOWN = ('environment', 'correctness', 'pretrain_eager', 'pretrain_compiled',
         'ceiling', 'loader', 'mmcv')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    names = [s.name for s in SECTIONS]
    parser.add_argument(
        '--device',
        default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--tiny', action='store_true',
                        help='the demo config at tiny sizes, no compile: '
                        'the whole run in well under a minute on a CPU')
    parser.add_argument('--out', default='work_dirs/gpu_rehearsal')
    parser.add_argument('--budget-s', type=float, default=540)
    parser.add_argument('--sections', nargs='+', choices=names,
                        default=names)
    parser.add_argument('--config', help=f'default {CONFIG} ({TINY_CONFIG} '
                        'with --tiny)')
    parser.add_argument('--batches', type=int, nargs='+',
                        help='default 32 64 128 (2 4 with --tiny)')
    parser.add_argument(
        '--voxels', type=int, nargs='+',
        help='voxels per ROI of the synthetic batches (default: '
        f'benchmark_pretrain\'s, NSD\'s; {list(TINY_VOXELS)} with --tiny)')
    parser.add_argument('--img-size', type=int,
                        help='default the config\'s (32 with --tiny)')
    parser.add_argument('--repeats', type=int,
                        help='timed steps after a warm-up, the best kept '
                        '(default 5, 2 with --tiny)')
    parser.add_argument(
        '--compile-backend', choices=['inductor', 'aot_eager', 'eager',
                                      'none'],
        help='default inductor (none with --tiny)')
    parser.add_argument('--data-root',
                        help='a prepared NSD for the loader (default: a '
                        'synthetic NSD-sized one in a temporary folder)')
    parser.add_argument('--subjects', type=int, nargs='+', default=[1])
    parser.add_argument('--stimuli',
                        help='the image brick relative to --data-root '
                        '(default prepared/nsd_stimuli_<img-size>.hdf5 '
                        'where it is there, else the raw one)')
    parser.add_argument('--workers', type=int, nargs='+',
                        help='loader workers (default 0 and the config\'s; '
                        '0 1 with --tiny)')
    parser.add_argument('--loader-images', type=int,
                        help='images of the synthetic cache (default 1024, '
                        '48 with --tiny)')
    parser.add_argument('--loader-seconds', type=float,
                        help='seconds of each loader rate (default 3, 0.3 '
                        'with --tiny)')
    args = parser.parse_args(argv)
    tiny = args.tiny
    defaults = dict(
        config=TINY_CONFIG if tiny else CONFIG,
        batches=[2, 4] if tiny else [32, 64, 128],
        voxels=list(TINY_VOXELS) if tiny else None,
        img_size=32 if tiny else None,
        repeats=2 if tiny else 5,
        compile_backend='none' if tiny else 'inductor',
        loader_images=48 if tiny else 1024,
        loader_seconds=0.3 if tiny else 3.)
    for k, v in defaults.items():
        if getattr(args, k) is None:
            setattr(args, k, v)
    if args.workers is None:
        if tiny:
            args.workers = [0, 1]
        else:
            register_all_modules()
            workers = Config.fromfile(
                args.config).train_dataloader.get('num_workers', 0)
            args.workers = sorted({0, workers})
    return args


def main(argv=None) -> dict:
    args = parse_args(argv)
    ctx = Context(args)
    report = dict(
        tool='tools/misc/gpu_rehearsal.py',
        schema_version=1,
        command=' '.join(['python tools/misc/gpu_rehearsal.py'] +
                         (sys.argv[1:] if argv is None else list(argv))),
        commit=git_commit(),
        started=time.strftime('%Y-%m-%d %H:%M:%S %Z'),
        device=args.device,
        tiny=args.tiny,
        budget_s=args.budget_s)
    for section in SECTIONS:
        table = run_section(section, ctx)
        print(f'[{section.name}] {table.status} in {table.seconds:.1f} s'
              f'{": " + table.note if table.note else ""}', flush=True)
        text = write_outputs(ctx, report, SHOWN)
    print()
    print(text)
    print(f'\nwritten: {osp.join(args.out, "rehearsal.json")}, '
          f'{osp.join(args.out, "rehearsal.md")}')
    line = summary(report)
    print(' '.join(f'{k}={v:.4g}' for k, v in line.items()))
    return report


if __name__ == '__main__':
    main()
