"""Time the ridge readout at the scale of one NSD subject, on synthetic
arrays (by default 9,000 images x 5,376 features -> 20,000 voxels, the
ConvNeXt-S readout of configs/encoding: stages 1-3 pooled to 2x2).

    python tools/analysis_tools/benchmark_ridge.py [--device cuda]
    python tools/analysis_tools/benchmark_ridge.py --himalaya torch numpy

With ``--himalaya BACKEND [BACKEND ...]`` it fits, on the same arrays, ours
K-fold (``--folds``, default 5), himalaya's RidgeCV with each backend on the
very same folds (:meth:`RidgeCV.folds`), grid and criterion (summed held-out
squared error; intercept by centring on each fold's train rows), and ours
leave-one-out (the default readout); and tables each one's seconds, the
fraction of voxels whose alpha agrees with ours K-fold, and the largest
difference from ours K-fold's predictions on held-out rows, over those
predictions' std.

The last line is machine-readable.
"""
import argparse
import time

import torch
from himalaya.backend import ALL_BACKENDS, set_backend
from himalaya.ridge import RidgeCV as HimalayaRidgeCV

from mmbrain.models.readouts import RidgeCV, neg_summed_sq_error


def fit_ours(ridge):
    """A fit of ours: (x, y) -> (V,) alphas and the predict function."""

    def fit(x, y):
        ridge.fit(x, y)
        return ridge.alpha_, ridge.predict

    return fit


def fit_himalaya(alphas, folds, backend_name):
    """A fit of himalaya's RidgeCV on the given (train, val) folds."""

    def fit(x, y):
        backend = set_backend(backend_name)
        ridge = HimalayaRidgeCV(
            alphas, fit_intercept=True, cv=folds,
            solver_params=dict(score_func=neg_summed_sq_error))
        ridge.fit(backend.asarray(x), backend.asarray(y))

        def predict(x):
            return torch.as_tensor(
                backend.to_numpy(ridge.predict(backend.asarray(x))))

        return torch.as_tensor(backend.to_numpy(ridge.best_alphas_)), predict

    return fit


def timed(fit, x, y, device):
    """Seconds of ``fit(x, y)`` and what it returns."""
    start = time.perf_counter()
    out = fit(x, y)
    if device.startswith('cuda'):
        torch.cuda.synchronize()
    return time.perf_counter() - start, out


def compare(args, x, y, x_test, alphas):
    """Ours K-fold, himalaya on its folds and ours leave-one-out: a table
    and its ``key=value`` line."""
    num_folds = args.folds or 5
    kfold = RidgeCV(alphas, num_folds=num_folds, device=args.device)
    folds = kfold.folds(len(x))
    methods = [(f'ours {num_folds}-fold', 'ours_kfold', fit_ours(kfold))]
    methods += [(f'himalaya {name} {num_folds}-fold', f'himalaya_{name}',
                 fit_himalaya(alphas, folds, name)) for name in args.himalaya]
    methods.append(('ours leave-one-out', 'ours_loo',
                    fit_ours(RidgeCV(alphas, device=args.device))))

    print(f'{"method":<28}{"seconds":>9}{"alpha_agree":>13}'
          f'{"max_pred_diff/std":>19}', flush=True)
    pairs = []
    for label, key, fit in methods:
        seconds, (alpha, predict) = timed(fit, x, y, args.device)
        alpha, pred = alpha.cpu(), predict(x_test).cpu()
        if key == 'ours_kfold':
            ref_alpha, ref_pred = alpha, pred
        agree = torch.isclose(alpha, ref_alpha, rtol=1e-3).double().mean()
        diff = (pred - ref_pred).abs().max() / ref_pred.std()
        print(f'{label:<28}{seconds:>9.1f}{agree:>13.4f}{diff:>19.2e}',
              flush=True)
        pairs += [f'{key}_s={seconds:.2f}', f'{key}_alpha_agree={agree:.4f}',
                  f'{key}_pred_diff={diff:.3e}']
    return ' '.join(pairs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--images', type=int, default=9000)
    parser.add_argument('--features', type=int, default=5376)
    parser.add_argument('--voxels', type=int, default=20000)
    parser.add_argument('--alphas', type=int, default=8)
    parser.add_argument(
        '--folds',
        type=int,
        help='K-fold (default: leave-one-out; 5 with --himalaya)')
    parser.add_argument('--device', default='cpu')
    parser.add_argument(
        '--himalaya',
        nargs='+',
        choices=ALL_BACKENDS,
        metavar='BACKEND',
        help='compare with himalaya on these backends (torch, numpy, '
        'torch_cuda, ...)')
    parser.add_argument(
        '--test-images',
        type=int,
        default=1000,
        help='held-out rows the predictions are compared on (--himalaya)')
    args = parser.parse_args()

    g = torch.Generator().manual_seed(0)
    num_rows = args.images + (args.test_images if args.himalaya else 0)
    x = torch.randn(num_rows, args.features, generator=g)
    w = torch.randn(args.features, args.voxels, generator=g) / 50
    y = x @ w + torch.randn(num_rows, args.voxels, generator=g)
    x, x_test = x[:args.images].to(args.device), x[args.images:]
    y = y[:args.images].to(args.device)
    alphas = [10.0**k for k in range(-1, args.alphas - 1)]
    sizes = (f'images={args.images} features={args.features} '
             f'voxels={args.voxels}')

    if args.himalaya:
        print(f'{args.images} images x {args.features} features -> '
              f'{args.voxels} voxels, {len(alphas)} alphas, '
              f'{args.test_images} held-out images, on {args.device}')
        print(f'{compare(args, x, y, x_test.to(args.device), alphas)} '
              f'{sizes}')
        return

    ridge = RidgeCV(alphas, num_folds=args.folds, device=args.device)
    seconds, _ = timed(fit_ours(ridge), x, y, args.device)
    cv = f'{args.folds}-fold' if args.folds else 'leave-one-out'
    print(f'{args.images} images x {args.features} features -> '
          f'{args.voxels} voxels, {len(alphas)} alphas, {cv} '
          f'on {args.device}: {seconds:.1f}s')
    print(f'ridge_fit_s={seconds:.2f} {sizes}')


if __name__ == '__main__':
    main()
