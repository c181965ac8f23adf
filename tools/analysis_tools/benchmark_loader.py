"""Samples per second that NSDBrainDataset serves from the prepared cache.

    python tools/analysis_tools/benchmark_loader.py data/nsd --subjects 1 2 \
        --workers 0 2 --img-size 224

Builds the dataset with the pretraining pipeline (image from the brick,
responses from the cache, optional resize, packing), then times full passes
of a DataLoader for each worker count, with mmengine's ``default_collate``
(images stacked inside the workers, which the brain configs use). The last
line is machine-readable.
"""
import argparse

from mmbrain.datasets import NSDBrainDataset
from mmbrain.utils.benchmark import loader_rate


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('data_root')
    parser.add_argument('--subjects', type=int, nargs='+', required=True)
    parser.add_argument('--split', default='train')
    parser.add_argument('--workers', type=int, nargs='+', default=[0, 2])
    parser.add_argument('--batch-size', type=int, default=16)
    parser.add_argument(
        '--img-size', type=int, help='resize images (e.g. 224)')
    parser.add_argument('--seconds', type=float, default=2.0)
    args = parser.parse_args()

    pipeline = [dict(type='LoadNSDImage'), dict(type='LoadBrainResponses')]
    if args.img_size:
        pipeline.append(
            dict(type='Resize', scale=(args.img_size, args.img_size)))
    pipeline.append(dict(type='PackBrainInputs'))
    dataset = NSDBrainDataset(
        data_root=args.data_root,
        subjects=args.subjects,
        split=args.split,
        pipeline=pipeline)
    print(f'{len(dataset)} samples, subjects {args.subjects}, '
          f'{args.split} split, batch {args.batch_size}')
    rates = {}
    for workers in args.workers:
        rates[workers] = loader_rate(dataset, workers, args.batch_size,
                                     args.seconds)
        print(f'  {workers} workers: {rates[workers]:8.1f} samples/s')
    print(' '.join(f'samples_per_s_workers{w}={r:.1f}'
                   for w, r in rates.items()))


if __name__ == '__main__':
    main()
