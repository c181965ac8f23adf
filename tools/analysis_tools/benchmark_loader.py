"""Samples per second that NSDBrainDataset serves from the prepared cache.

    python tools/analysis_tools/benchmark_loader.py data/nsd --subjects 1 2 \
        --workers 0 2 --img-size 224

Builds the dataset with the pretraining pipeline (image from the brick,
responses from the cache, optional resize, packing), then times full passes
of a DataLoader for each worker count, collated by ``brain_collate`` in the
workers, as the pretraining configs do. ``--stimuli`` reads a pre-resized
brick (``tools/dataset_converters/resize_stimuli.py``) instead of the raw
one: compare ``--img-size 224`` with ``--stimuli
prepared/nsd_stimuli_224.hdf5`` for what resizing once saves. Each
transform's time per sample is measured first, in the main process. The
last line is machine-readable.
"""
import argparse
import time
from collections import defaultdict

from mmbrain.datasets import NSDBrainDataset, brain_collate

from benchmark_utils import loader_rate


def transform_times(dataset, passes: int = 2) -> dict:
    """Microseconds per sample of each transform of the pipeline, in this
    process, over ``passes`` passes of the dataset (the first warms the
    files)."""
    totals = defaultdict(float)
    for p in range(passes + 1):
        for i in range(len(dataset)):
            results = dataset.get_data_info(i)
            for t in dataset.pipeline.transforms:
                start = time.perf_counter()
                results = t(results)
                if p:
                    totals[type(t).__name__] += time.perf_counter() - start
    return {k: v / passes / len(dataset) * 1e6 for k, v in totals.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('data_root')
    parser.add_argument('--subjects', type=int, nargs='+', required=True)
    parser.add_argument('--split', default='train')
    parser.add_argument('--workers', type=int, nargs='+', default=[0, 2])
    parser.add_argument('--batch-size', type=int, default=16)
    parser.add_argument(
        '--img-size', type=int, help='resize images (e.g. 224)')
    parser.add_argument(
        '--stimuli', help='a pre-resized image brick, relative to data_root')
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
        stimuli=args.stimuli,
        pipeline=pipeline)
    print(f'{len(dataset)} samples, subjects {args.subjects}, '
          f'{args.split} split, batch {args.batch_size}')
    for name, us in transform_times(dataset).items():
        print(f'  {name:<22}{us:8.0f} us per sample')
    rates = {}
    for workers in args.workers:
        rates[workers] = loader_rate(dataset, workers, args.batch_size,
                                     args.seconds, brain_collate)
        print(f'  {workers} workers: {rates[workers]:8.1f} samples/s')
    print(' '.join(f'samples_per_s_workers{w}={r:.1f}'
                   for w, r in rates.items()))


if __name__ == '__main__':
    main()
