"""Speed, efficiency and memory of the Brainformer fMRI encoder.

    python tools/analysis_tools/benchmark_encoder.py [--quick] [--device cuda]

In one run, at the paper's scale (6 ROIs of 2k-20k voxels, d_r 768, w 64,
s 32, 2 levels, batch 8):

- forward+backward of the vectorised encoder and of the literal loop of
  Algorithm 1 (``mmbrain.models.brain_encoders.literal``) with the same
  weights: the speed-up, and the max abs difference of their outputs;
- the encoder's achieved GFLOP/s (FLOPs counted by
  ``torch.utils.flop_counter``) against a dense fp32 matmul on the device;
- memory, and how time and memory grow with 5k, 10k, 20k and 40k voxels per
  ROI (the fitted exponent is 1 for linear growth, 2 for quadratic). On a
  GPU memory is the peak allocated during forward+backward; on the CPU, whose
  allocator keeps no such count, it is the bytes of the tensors autograd
  saves in the forward pass (the activations, what grows with voxels).

``--quick`` shrinks the batch and the voxel counts to run in under a minute
on 2 CPU cores. The last line is machine-readable.
"""
import argparse
import math

import torch
from torch.utils.flop_counter import FlopCounterMode

from mmbrain.models import BrainformerEncoder
from mmbrain.structures import pad_rois
from mmbrain.models.brain_encoders.literal import literal_brainformer
from mmbrain.testing import fake_brain_data, voxel_counts
from mmbrain.utils.benchmark import dense_matmul_gflops, timed

PAPER_VOXELS = (7000, 2000, 3000, 4000, 2000, 20000)


def make_batch(voxels, batch, device, seed=0):
    """Random (fmri, coords) per sample (:func:`fake_brain_data`), their
    voxel counts varying by up to 10% as subjects' do, and the padded
    encoder inputs (fmri, coords, masks) on ``device``."""
    samples = fake_brain_data(voxel_counts(voxels, batch), seed)
    return samples, pad_rois(*samples, device=device)


def step_memory_mb(enc, inputs, device):
    """Peak CUDA memory of forward+backward beyond what was allocated
    before, or (CPU) the MB of activations saved for backward (weights
    excluded)."""
    if device.startswith('cuda'):
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
        brain, rois = enc(*inputs)
        (brain.sum() + rois.sum()).backward()
        return (torch.cuda.max_memory_allocated() - base) / 2**20
    storages = {}
    weights = {p.untyped_storage().data_ptr() for p in enc.parameters()}

    def pack(t):
        storage = t.untyped_storage()
        if storage.data_ptr() not in weights:
            storages[storage.data_ptr()] = storage.nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        enc(*inputs)
    return sum(storages.values()) / 2**20


def scaling(enc, args, sizes):
    rows = []
    for v in sizes:
        _, inputs = make_batch([v] * 6, args.scaling_batch, args.device)

        def step():
            brain, rois = enc(*inputs)
            (brain.sum() + rois.sum()).backward()

        rows.append((v, timed(step, args.device, repeats=1),
                     step_memory_mb(enc, inputs, args.device)))
    print(f'\nscaling (6 ROIs x V voxels, batch {args.scaling_batch}):')
    print(f'{"V":>8} {"time (s)":>10} {"memory (MB)":>12}')
    for v, t, m in rows:
        print(f'{v:>8} {t:>10.2f} {m:>12.0f}')
    (v0, t0, m0), (v1, t1, m1) = rows[0], rows[-1]
    ratio = math.log(v1 / v0)
    t_exp, m_exp = math.log(t1 / t0) / ratio, math.log(m1 / m0) / ratio
    print(f'growth exponent from {v0} to {v1} voxels: time {t_exp:.2f}, '
          f'memory {m_exp:.2f} (1 = linear, 2 = quadratic)')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--batch', type=int)
    parser.add_argument('--dim', type=int, default=768)
    parser.add_argument(
        '--scaling-batch', type=int, default=2,
        help='batch of the scaling runs (40k voxels x 6 ROIs x 8 samples '
        'outgrows 24 GB)')
    args = parser.parse_args()
    args.batch = args.batch or (2 if args.quick else 8)
    scale = 4 if args.quick else 1
    voxels = [v // scale for v in PAPER_VOXELS]
    torch.manual_seed(0)
    enc = BrainformerEncoder(embed_dims=args.dim).to(args.device)
    samples, inputs = make_batch(voxels, args.batch, args.device)
    print(f'encoder: 6 ROIs of {voxels} voxels, d_r {args.dim}, w 64, s 32, '
          f'2 levels, batch {args.batch}, {args.device}')

    def vectorised():
        brain, rois = enc(*inputs)
        (brain.sum() + rois.sum()).backward()

    def literal():
        outs = [
            literal_brainformer(enc, [f.to(args.device) for f in fmri],
                                [c.to(args.device) for c in coords])
            for fmri, coords in zip(*samples)
        ]
        sum(b.sum() + r.sum() for b, r in outs).backward()

    with FlopCounterMode(display=False) as counter:
        vectorised()
    flops = counter.get_total_flops()
    t_vec = timed(vectorised, args.device)
    t_loop = timed(literal, args.device, repeats=1)
    peak = step_memory_mb(enc, inputs, args.device)
    with torch.no_grad():
        brain, rois = enc(*inputs)
        diff = 0.
        for n, (fmri, coords) in enumerate(zip(*samples)):
            ref_brain, ref_rois = literal_brainformer(
                enc, [f.to(args.device) for f in fmri],
                [c.to(args.device) for c in coords])
            diff = max(diff, (brain[n] - ref_brain).abs().max().item(),
                       (rois[n] - ref_rois).abs().max().item())
    achieved = flops / t_vec / 1e9
    dense = dense_matmul_gflops(args.device)
    print(f'forward+backward: vectorised {t_vec:.3f}s, literal loop '
          f'{t_loop:.3f}s -> speed-up {t_loop / t_vec:.2f}x')
    print(f'{flops / 1e9:.1f} GFLOP per step ({flops / 3e9 / args.batch:.2f} '
          f'GFLOPs forward per sample; the paper reports 105.66 for the whole '
          f'model): {achieved:.1f} GFLOP/s, dense {2048}^2 fp32 matmul '
          f'{dense:.1f} GFLOP/s -> {achieved / dense:.0%} of it')
    print(f'max abs difference vectorised vs loop: {diff:.2e}; memory '
          f'{peak:.0f} MB')
    sizes = [1250, 2500, 5000, 10000] if args.quick else [
        5000, 10000, 20000, 40000
    ]
    scaling(enc, args, sizes)
    print(f'speedup_vs_loop={t_loop / t_vec:.2f} '
          f'flops_fraction={achieved / dense:.3f} max_abs_diff={diff:.2e} '
          f'peak_mem_mb={peak:.0f}')


if __name__ == '__main__':
    main()
