"""Speed of the full pretraining step, its split between the image backbone
and the fMRI encoder, its ops and host syncs, the data path against it, and
the model's size; with ``--baseline REF``, the same step of an older commit
measured in the same run.

    python tools/analysis_tools/benchmark_pretrain.py \
        configs/pretrain/brainformer_convnext_s.py \
        --data-root data/demo_nsd --subjects 1 2 [--batch 8] [--device cuda] \
        [--amp] [--compile] [--baseline 1033fa3]

In one run, on a synthetic batch at the paper's scale (224x224 images, 6
ROIs of 2k-20k voxels, or the encoder's ``num_voxels`` where it takes one
ROI such as nsdgeneral; two subjects) collated by the config's
``collate_fn`` as its dataloader's workers would:

- samples per second of the whole step (``model.train_step``: data
  preprocessor, backbone, encoder, losses, backward and the config's
  optimizer), and of the image backbone alone (forward, pooling, backward,
  AdamW); the encoder's share is the difference. ``--compile`` compiles
  ``train_step`` as mmengine's runner does with ``compile=True``; its
  first call, the compile time, is reported apart. ``--amp`` runs the step
  under bf16 autocast without a loss scaler (``AutocastOptimWrapper``, as
  ``tools/train.py --amp bf16`` does);
- the ATen ops and host syncs of one eager step, and of its optimizer
  update alone (:class:`~mmbrain.utils.op_counter.OpCounter`). On the CPU
  a non-fused AdamW steps each parameter on its own, reading its step count
  (a host scalar, not a device sync; on a GPU torch takes the foreach path,
  which reads none): count the model's syncs as the step's less the
  optimizer's;
- parameters and FLOPs of the model from mmengine's complexity analysis,
  beside the paper's 543.47M and 105.66 GFLOPs (mmengine's counter skips
  ``scaled_dot_product_attention``, so the encoder is also counted with
  ``torch.utils.flop_counter``);
- with ``--data-root`` (a prepared cache), the samples per second the
  config's training dataset, pipeline and ``collate_fn`` serve there with 0
  and 2 workers, over the rate the step consumes.

``--baseline REF`` runs the step with the ``mmbrain`` package and the
configs of the git revision REF (``git archive`` into a temporary folder,
a child process, today's instruments; a relative config path is read from
REF) and prints today over REF. A REF older than ``AutocastOptimWrapper``
runs ``--amp`` with mmengine's ``AmpOptimWrapper`` in bf16. The last line is
machine-readable.
"""
import argparse
import json
import os.path as osp
import time

import torch
from mmengine.analysis import get_model_complexity_info
from mmengine.config import Config
from mmengine.optim import OptimWrapper, build_optim_wrapper
from mmengine.registry import FUNCTIONS
from torch.utils.flop_counter import FlopCounterMode

from mmbrain.registry import DATASETS, MODELS, OPTIM_WRAPPERS
from mmbrain.testing import fake_brain_batch
from mmbrain.utils import register_all_modules
from mmbrain.utils.op_counter import OpCounter

from benchmark_utils import (encoder_kwargs, loader_rate, print_comparison,
                             run_baseline, sync, timed)

PAPER_VOXELS = (7000, 2000, 3000, 4000, 2000, 20000)
REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def complexity(model, data):
    """Parameters and forward FLOPs per sample of backbone and encoder."""
    inputs = model.data_preprocessor(data)['inputs']
    n = len(inputs['img'])
    backbone = get_model_complexity_info(
        model.backbone, inputs=(inputs['img'][:1], ), show_table=False,
        show_arch=False)
    brain_inputs = encoder_kwargs(model.brain_encoder, inputs)
    encoder = get_model_complexity_info(
        model.brain_encoder,
        inputs=tuple(brain_inputs.values()),
        show_table=False,
        show_arch=False)
    # mmengine's counter skips scaled_dot_product_attention: count the
    # encoder again with torch's, which includes it
    with FlopCounterMode(display=False) as counter:
        model.brain_encoder(**brain_inputs)
    return dict(
        params_m=sum(p.numel() for p in model.parameters()) / 1e6,
        backbone_params_m=backbone['params'] / 1e6,
        encoder_params_m=encoder['params'] / 1e6,
        backbone_gflops=backbone['flops'] / 1e9,
        encoder_gflops_mmengine=encoder['flops'] / 1e9 / n,
        encoder_gflops=counter.get_total_flops() / 1e9 / n)


def collated_batch(cfg, batch, voxels, img_size):
    """A random batch (:func:`fake_brain_batch`) through the config's
    ``collate_fn``, as the training dataloader's workers give it."""
    data = fake_brain_batch(batch, voxels, img_size)
    collate = FUNCTIONS.get(cfg.train_dataloader.get(
        'collate_fn', dict(type='pseudo_collate'))['type'])
    return collate([
        dict(inputs=img, data_samples=sample)
        for img, sample in zip(data['inputs'], data['data_samples'])
    ])


def optim_wrapper(model, cfg, amp):
    """The config's optimizer wrapper, under bf16 autocast with ``amp``."""
    wrapper = cfg.optim_wrapper.copy()
    if amp and 'AutocastOptimWrapper' in OPTIM_WRAPPERS:
        wrapper.update(type='AutocastOptimWrapper', dtype='bfloat16')
    elif amp:
        wrapper.update(type='AmpOptimWrapper', dtype='bfloat16')
    return build_optim_wrapper(model, wrapper)


def batch_voxels(cfg, voxels):
    """Voxels per ROI of the synthetic batch: ``--voxels``, else the
    paper's six groups, else the encoder's ``num_voxels`` (one ROI such as
    nsdgeneral); one count per ROI of the config."""
    encoder = cfg.model.brain_encoder
    num_rois = encoder.get('num_rois') or len(
        encoder.get('num_voxels') or PAPER_VOXELS)
    if voxels is None:
        voxels = (PAPER_VOXELS if num_rois == len(PAPER_VOXELS) else
                  encoder.get('num_voxels'))
    if voxels is None or len(voxels) != num_rois:
        raise SystemExit(f'{cfg.filename}: the encoder takes {num_rois} ROIs; '
                         f'give --voxels with {num_rois} counts (got '
                         f'{None if voxels is None else list(voxels)})')
    return list(voxels)


def measure(args):
    """The step's figures for the config, and the model and batch."""
    register_all_modules()
    cfg = Config.fromfile(args.config)
    args.voxels = batch_voxels(cfg, args.voxels)
    img_size = cfg.get('img_size', 224)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).to(args.device).train()
    data = collated_batch(cfg, args.batch, args.voxels, img_size)
    full_wrapper = optim_wrapper(model, cfg, args.amp)
    backbone_wrapper = OptimWrapper(
        torch.optim.AdamW(model.backbone.parameters(), lr=1e-4))
    train_step = model.train_step

    def backbone_step():
        img = model.data_preprocessor(data, True)['inputs']['img']
        with full_wrapper.optim_context(model):
            loss = model.extract_feat(img).float().pow(2).mean()
        backbone_wrapper.update_params(loss)

    out = dict(compile_s=0.)
    if args.compile:  # as mmengine's runner does with compile=True
        train_step = torch.compile(model.train_step)
        sync(args.device)
        start = time.perf_counter()
        train_step(data, full_wrapper)
        sync(args.device)
        out['compile_s'] = time.perf_counter() - start
    out['step_s'] = timed(lambda: train_step(data, full_wrapper),
                          args.device, args.repeats)
    out['backbone_s'] = timed(backbone_step, args.device, args.repeats)
    out['samples_per_s'] = args.batch / out['step_s']
    out['encoder_share'] = max(out['step_s'] - out['backbone_s'],
                               0) / out['step_s']
    ops, optimizer = count_step(model, data, full_wrapper)
    out.update(ops_per_step=ops.total, syncs_per_step=ops.syncs,
               optimizer_ops=optimizer.total,
               optimizer_syncs=optimizer.syncs)
    return out, cfg, model, data


def count_step(model, data, wrapper):
    """OpCounters of one eager step and of its optimizer update alone."""
    optimizer, step = OpCounter(), wrapper.step

    def counted_step(**kwargs):
        with optimizer:
            return step(**kwargs)

    wrapper.step = counted_step
    try:
        with OpCounter() as ops:
            model.train_step(data, wrapper)
    finally:
        del wrapper.step
    return ops, optimizer


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--batch', type=int, default=8)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--amp', action='store_true', help='bf16 autocast')
    parser.add_argument('--compile', action='store_true')
    parser.add_argument(
        '--repeats', type=int, default=5,
        help='timed steps after a warm-up; the best is kept')
    parser.add_argument(
        '--baseline', metavar='REF',
        help='a git revision whose step is measured beside today\'s')
    parser.add_argument('--data-root', help='a prepared NSD (or demo) root')
    parser.add_argument('--subjects', type=int, nargs='+', default=[1])
    parser.add_argument(
        '--voxels', type=int, nargs='+',
        help='voxels per ROI of the synthetic batch, one count per ROI of '
        'the config (default: the paper\'s six groups, '
        f'{list(PAPER_VOXELS)}, or the encoder\'s num_voxels)')
    parser.add_argument('--worker', action='store_true',
                        help=argparse.SUPPRESS)
    return parser.parse_args()


def main():
    args = parse_args()
    out, cfg, model, data = measure(args)
    if args.worker:  # the baseline's side
        return print(json.dumps(out))
    print(f'{cfg.filename}: batch {args.batch} at {cfg.get("img_size", 224)}'
          f'px, {len(args.voxels)} ROIs of {args.voxels} voxels, '
          f'{args.device}'
          f'{", bf16 autocast" if args.amp else ""}'
          f'{", compiled" if args.compile else ""}')
    compiled = (f' after {out["compile_s"]:.1f}s of compile'
                if args.compile else '')
    print(f'full step {out["step_s"]:.3f}s ({out["samples_per_s"]:.1f} '
          f'samples/s){compiled}; backbone alone {out["backbone_s"]:.3f}s')
    print(f'share of the step: image backbone '
          f'{1 - out["encoder_share"]:.0%}, fMRI encoder and losses '
          f'{out["encoder_share"]:.0%}')
    print(f'{out["ops_per_step"]} ATen ops and {out["syncs_per_step"]} host '
          f'syncs per eager step, of which the optimizer '
          f'{out["optimizer_ops"]} and {out["optimizer_syncs"]}')

    with torch.no_grad():
        size = complexity(model.eval(), data)
    print(f'parameters {size["params_m"]:.2f}M (backbone '
          f'{size["backbone_params_m"]:.2f}M, encoder '
          f'{size["encoder_params_m"]:.2f}M; the paper: 543.47M); forward '
          f'GFLOPs per sample: backbone {size["backbone_gflops"]:.2f}, '
          f'encoder {size["encoder_gflops"]:.2f} (attention included; '
          f'{size["encoder_gflops_mmengine"]:.2f} by mmengine, which skips '
          'it); the paper: 105.66 for the model')
    line = dict(out, params_m=size['params_m'],
                encoder_gflops=size['encoder_gflops'])
    if args.baseline:
        # a config of this checkout is read from REF's
        config = osp.abspath(args.config)
        if not osp.relpath(config, REPO).startswith('..'):
            config = osp.relpath(config, REPO)
        argv = [config, f'--batch={args.batch}', f'--repeats={args.repeats}',
                f'--device={args.device}', '--voxels',
                *map(str, args.voxels)]
        argv += [f'--{k}' for k in ('amp', 'compile') if getattr(args, k)]
        then = run_baseline(args.baseline, __file__, argv, REPO)
        print(f'\nagainst {args.baseline} (its package and config, the same '
              'batch):')
        keys = ['samples_per_s', 'ops_per_step', 'syncs_per_step',
                'optimizer_ops', 'optimizer_syncs', 'encoder_share']
        if args.compile:
            keys.append('compile_s')
        print_comparison([(k, out[k], then[k]) for k in keys], args.baseline)
        line.update(speedup_vs_baseline=then['step_s'] / out['step_s'],
                    **{f'baseline_{k}': then[k] for k in keys})
    if args.data_root:
        # the config's training dataset, pipeline and collate_fn
        dataset = DATASETS.build(
            dict(
                cfg.train_dataloader.dataset,
                data_root=args.data_root,
                subjects=args.subjects))
        collate = FUNCTIONS.get(cfg.train_dataloader.collate_fn['type'])
        rates = {
            w: loader_rate(dataset, w, args.batch, collate_fn=collate)
            for w in (0, 2)
        }
        for w, r in rates.items():
            print(f'loader, {w} workers: {r:.1f} samples/s = '
                  f'{r / out["samples_per_s"]:.1f}x what the step consumes')
        line['loader_over_step'] = max(rates.values()) / out['samples_per_s']
    print(' '.join(f'{k}={v:.4g}' for k, v in line.items()))


if __name__ == '__main__':
    main()
