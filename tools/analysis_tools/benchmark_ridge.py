"""Time the ridge readout at the scale of one NSD subject, on synthetic
arrays (by default 9,000 images x 5,376 features -> 20,000 voxels, the
ConvNeXt-S readout of configs/encoding: stages 1-3 pooled to 2x2).

    python tools/analysis_tools/benchmark_ridge.py [--device cuda]

The last line is machine-readable.
"""
import argparse
import time

import torch

from mmbrain.models import RidgeCV


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--images', type=int, default=9000)
    parser.add_argument('--features', type=int, default=5376)
    parser.add_argument('--voxels', type=int, default=20000)
    parser.add_argument('--alphas', type=int, default=8)
    parser.add_argument(
        '--folds', type=int, help='K-fold (default: leave-one-out)')
    parser.add_argument('--device', default='cpu')
    args = parser.parse_args()

    g = torch.Generator().manual_seed(0)
    x = torch.randn(args.images, args.features, generator=g)
    w = torch.randn(args.features, args.voxels, generator=g) / 50
    y = x @ w + torch.randn(args.images, args.voxels, generator=g)
    x, y = x.to(args.device), y.to(args.device)
    alphas = [10.0**k for k in range(-1, args.alphas - 1)]

    start = time.perf_counter()
    ridge = RidgeCV(alphas, num_folds=args.folds, device=args.device)
    ridge.fit(x, y)
    if args.device.startswith('cuda'):
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    cv = f'{args.folds}-fold' if args.folds else 'leave-one-out'
    print(f'{args.images} images x {args.features} features -> '
          f'{args.voxels} voxels, {len(alphas)} alphas, {cv} '
          f'on {args.device}: {seconds:.1f}s')
    print(f'ridge_fit_s={seconds:.2f} images={args.images} '
          f'features={args.features} voxels={args.voxels}')


if __name__ == '__main__':
    main()
