"""Speed, work and memory of the Brainformer fMRI encoder, against the
literal Algorithm 1 and, with ``--baseline REF``, against the encoder of an
older commit measured in the same run.

    python tools/analysis_tools/benchmark_encoder.py [--quick] \
        [--device cuda] [--amp] [--compile] [--baseline 1033fa3]

At the paper's scale (6 ROIs of 2k-20k voxels, d_r 768, w 64, s 32, 2
levels, batch 8; the samples mix two subjects and voxel counts), with the
batch as the data preprocessor gives it:

- forward+backward: samples per second; with ``--compile``, the encoder
  under ``torch.compile`` (its first call, the compile time, is reported
  apart); with ``--amp``, under bf16 autocast;
- the ATen ops and host syncs per step (:class:`~mmbrain.utils.op_counter.
  OpCounter`; a sync costs nothing on the CPU but stalls a GPU, so the CPU
  count is the one that matters there);
- forward GFLOPs per sample as computed (``torch.utils.flop_counter``)
  against the *valid* ones: those of the literal loop of Algorithm 1
  (``mmbrain.testing.literal``) on the same samples, which
  pads nothing. Above 1, the difference is padding; below 1, work that the
  literal loop repeats (LayerNorm and QKV once per window copy of a token);
- the achieved rate, crediting only the valid FLOPs, against a dense matmul
  (8192^2 bf16 on a GPU, 2048^2 fp32 on the CPU), the literal loop's speed
  and its max abs difference from the encoder's outputs;
- memory, and how time and memory grow with 5k, 10k, 20k and 40k voxels per
  ROI (the fitted exponent is 1 for linear growth, 2 for quadratic). On a
  GPU memory is the peak allocated during forward+backward; on the CPU,
  whose allocator keeps no such count, it is the bytes of the tensors
  autograd saves in the forward pass (the activations).

``--baseline REF`` measures the same batch and the same weights with the
``mmbrain`` package of the git revision REF (``git archive`` into a
temporary folder, run in a child process, with today's instruments) and
prints today over REF, and the max abs difference of their outputs.
``--quick`` shrinks the batch and the voxel counts to run in about a minute
on 2 CPU cores. The last line is machine-readable.
"""
import argparse
import contextlib
import json
import math
import os.path as osp
import tempfile
import time

import torch
from torch.utils.flop_counter import FlopCounterMode

from mmbrain.models import BrainformerEncoder
from mmbrain.registry import MODELS
from mmbrain.testing import fake_brain_batch, literal_brainformer
from mmbrain.utils import register_all_modules
from mmbrain.utils.op_counter import OpCounter

from benchmark_utils import (dense_peak, encoder_kwargs, print_comparison,
                             run_baseline, sync, timed)

PAPER_VOXELS = (7000, 2000, 3000, 4000, 2000, 20000)
REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def make_inputs(voxels, batch, device, seed=0):
    """The encoder's keyword inputs for a random batch
    (:func:`fake_brain_batch`: two subjects, voxel counts varying by up to
    10% as subjects' do), through the data preprocessor, on ``device``."""
    register_all_modules()
    preprocessor = MODELS.build(dict(type='BrainDataPreprocessor'))
    data = fake_brain_batch(batch, voxels, img_size=8, seed=seed)
    return preprocessor.to(device)(data)['inputs'], data


def autocast(args):
    if not args.amp:
        return contextlib.nullcontext()
    return torch.autocast(args.device.split(':')[0], dtype=torch.bfloat16)


def step_memory_mb(step, enc, device):
    """Peak CUDA memory of forward+backward beyond what was allocated
    before, or (CPU) the MB of activations saved for backward (weights
    excluded)."""
    if device.startswith('cuda'):
        sync(device)
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
        step()
        return (torch.cuda.max_memory_allocated() - base) / 2**20
    storages = {}
    weights = {p.untyped_storage().data_ptr() for p in enc.parameters()}

    def pack(t):
        storage = t.untyped_storage()
        if storage.data_ptr() not in weights:
            storages[storage.data_ptr()] = storage.nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        step()
    return sum(storages.values()) / 2**20


def measure(enc, kwargs, args):
    """Figures of the encoder on one batch, and its (brain, rois) outputs."""
    n = len(kwargs['fmri'][0])

    def step(fn=enc):
        with autocast(args):
            brain, rois = fn(**kwargs)
        (brain.float().sum() + rois.float().sum()).backward()

    out = dict(compile_s=0.)
    if args.compile:
        compiled = torch.compile(enc)
        sync(args.device)
        start = time.perf_counter()
        step(compiled)
        sync(args.device)
        out['compile_s'] = time.perf_counter() - start
        out['step_s'] = timed(lambda: step(compiled), args.device,
                              args.repeats)
    else:
        out['step_s'] = timed(step, args.device, args.repeats)
    out['samples_per_s'] = n / out['step_s']
    with OpCounter() as ops:
        step()
    out.update(ops_per_step=ops.total, syncs_per_step=ops.syncs)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        with autocast(args):
            outputs = enc(**kwargs)
    out['gflops_per_sample'] = counter.get_total_flops() / 1e9 / n
    out['peak_mem_mb'] = step_memory_mb(step, enc, args.device)
    return out, [o.float().cpu() for o in outputs]


def literal(enc, data, args):
    """The literal loop's time (forward+backward), its FLOPs (forward, and
    forward+backward) and its (brain, rois) per sample."""
    samples = [[(torch.as_tensor(f, device=args.device),
                 torch.as_tensor(c, device=args.device))
                for f, c in zip(s.fmri, s.coords)]
               for s in data['data_samples']]

    def run():
        with autocast(args):
            return [
                literal_brainformer(enc, *map(list, zip(*sample)))
                for sample in samples
            ]

    def step():
        sum(b.float().sum() + r.float().sum() for b, r in run()).backward()

    with FlopCounterMode(display=False) as total:
        step()
    with torch.no_grad(), FlopCounterMode(display=False) as forward:
        outputs = run()
    return dict(step_s=timed(step, args.device, repeats=1),
                gflops=forward.get_total_flops() / 1e9,
                step_gflops=total.get_total_flops() / 1e9), outputs


def scaling(enc, args, sizes):
    rows = []
    for v in sizes:
        kwargs = make_inputs([v] * 6, args.scaling_batch, args.device)[0]
        kwargs = encoder_kwargs(enc, kwargs)

        def step():
            brain, rois = enc(**kwargs)
            (brain.sum() + rois.sum()).backward()

        rows.append((v, timed(step, args.device, repeats=1),
                     step_memory_mb(step, enc, args.device)))
    print(f'\nscaling (6 ROIs x V voxels, batch {args.scaling_batch}):')
    print(f'{"V":>8} {"time (s)":>10} {"memory (MB)":>12}')
    for v, t, m in rows:
        print(f'{v:>8} {t:>10.2f} {m:>12.0f}')
    (v0, t0, m0), (v1, t1, m1) = rows[0], rows[-1]
    ratio = math.log(v1 / v0)
    t_exp, m_exp = math.log(t1 / t0) / ratio, math.log(m1 / m0) / ratio
    print(f'growth exponent from {v0} to {v1} voxels: time {t_exp:.2f}, '
          f'memory {m_exp:.2f} (1 = linear, 2 = quadratic)')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--batch', type=int)
    parser.add_argument('--dim', type=int, default=768)
    parser.add_argument('--amp', action='store_true', help='bf16 autocast')
    parser.add_argument('--compile', action='store_true')
    parser.add_argument(
        '--repeats', type=int, default=5,
        help='timed steps after a warm-up; the best is kept')
    parser.add_argument(
        '--baseline', metavar='REF',
        help='a git revision whose encoder is measured beside today\'s')
    parser.add_argument('--no-scaling', action='store_true')
    parser.add_argument(
        '--scaling-batch', type=int, default=2,
        help='batch of the scaling runs (40k voxels x 6 ROIs x 8 samples '
        'outgrows 24 GB)')
    # the baseline's child process: weights in, outputs out, JSON last
    parser.add_argument('--worker', action='store_true',
                        help=argparse.SUPPRESS)
    parser.add_argument('--files', help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.batch = args.batch or (2 if args.quick else 8)
    args.voxels = [v // (4 if args.quick else 1) for v in PAPER_VOXELS]
    return args


def worker(args):
    """The baseline's side: the same batch and weights, its figures."""
    enc = BrainformerEncoder(embed_dims=args.dim).to(args.device)
    enc.load_state_dict(torch.load(osp.join(args.files, 'weights.pth')))
    inputs, _ = make_inputs(args.voxels, args.batch, args.device)
    out, outputs = measure(enc, encoder_kwargs(enc, inputs), args)
    torch.save(outputs, osp.join(args.files, 'outputs.pth'))
    print(json.dumps(out))


def baseline(enc, outputs, args):
    """The figures of ``args.baseline`` and the max abs difference of its
    outputs from ``outputs``."""
    argv = [
        f'--{k}={getattr(args, k)}'
        for k in ('device', 'batch', 'dim', 'repeats')
    ]
    argv += [f'--{k}' for k in ('quick', 'amp', 'compile') if getattr(args, k)]
    with tempfile.TemporaryDirectory() as files:
        torch.save(enc.state_dict(), osp.join(files, 'weights.pth'))
        out = run_baseline(args.baseline, __file__,
                           argv + ['--files', files], REPO)
        theirs = torch.load(osp.join(files, 'outputs.pth'))
    out['diff'] = max((a - b).abs().max().item()
                      for a, b in zip(outputs, theirs))
    return out


def main():
    args = parse_args()
    torch.manual_seed(0)
    enc = BrainformerEncoder(embed_dims=args.dim).to(args.device)
    if args.worker:
        return worker(args)
    inputs, data = make_inputs(args.voxels, args.batch, args.device)
    print(f'encoder: 6 ROIs of {args.voxels} voxels, d_r {args.dim}, w 64, '
          f's 32, 2 levels, batch {args.batch} (2 subjects), {args.device}'
          f'{", bf16 autocast" if args.amp else ""}'
          f'{", torch.compile" if args.compile else ""}')
    out, outputs = measure(enc, encoder_kwargs(enc, inputs), args)
    loop, reference = literal(enc, data, args)
    diff = max(
        max((outputs[0][n] - b.float().cpu()).abs().max().item(),
            (outputs[1][n] - r.float().cpu()).abs().max().item())
        for n, (b, r) in enumerate(reference))
    valid = loop['gflops'] / args.batch
    achieved = loop['step_gflops'] / out['step_s']
    peak, peak_name = dense_peak(args.device)
    compiled = f' after {out["compile_s"]:.1f}s of compile' if args.compile \
        else ''
    print(f'forward+backward: {out["step_s"]:.3f}s, '
          f'{out["samples_per_s"]:.1f} samples/s{compiled}; literal loop '
          f'{loop["step_s"]:.3f}s '
          f'-> speed-up {loop["step_s"] / out["step_s"]:.2f}x')
    print(f'{out["ops_per_step"]} ATen ops and {out["syncs_per_step"]} host '
          'syncs per forward+backward')
    print(f'forward GFLOPs per sample: {out["gflops_per_sample"]:.2f} '
          f'computed, {valid:.2f} valid (the literal loop) -> '
          f'{out["gflops_per_sample"] / valid:.3f} of valid; the paper '
          'reports 105.66 for the whole model')
    print(f'achieved {achieved:.1f} valid GFLOP/s; dense {peak_name} '
          f'{peak:.1f} GFLOP/s -> {achieved / peak:.0%} of it')
    print(f'max abs difference from the loop: {diff:.2e}; memory '
          f'{out["peak_mem_mb"]:.0f} MB')
    line = dict(speedup_vs_loop=loop['step_s'] / out['step_s'],
                flops_fraction=achieved / peak,
                max_abs_diff=diff,
                valid_gflops_per_sample=valid,
                **out)
    if args.baseline:
        then = baseline(enc, outputs, args)
        print(f'\nagainst {args.baseline} (same batch and weights; max abs '
              f'difference of the outputs {then["diff"]:.2e}):')
        keys = ['samples_per_s', 'ops_per_step', 'syncs_per_step',
                'gflops_per_sample', 'peak_mem_mb']
        if args.compile:
            keys.append('compile_s')
        print_comparison([(k, out[k], then[k]) for k in keys], args.baseline)
        line.update(speedup_vs_baseline=then['step_s'] / out['step_s'],
                    baseline_diff=then['diff'],
                    **{f'baseline_{k}': then[k] for k in keys})
    if not args.no_scaling:
        sizes = [1250, 2500, 5000, 10000] if args.quick else [
            5000, 10000, 20000, 40000
        ]
        scaling(enc, args, sizes)
    print(' '.join(f'{k}={v:.4g}' for k, v in line.items()))


if __name__ == '__main__':
    main()
