"""Resize NSD's image brick once, for pretraining without augmentation.

    python tools/dataset_converters/resize_stimuli.py data/nsd --size 224

writes ``data/nsd/prepared/nsd_stimuli_224.hdf5`` (``--out`` to choose),
the raw ``nsd_stimuli.hdf5`` resized as the ``Resize`` transform does, so
that the same pixels reach the model while the loader's workers read and
resize nothing. Use it with the dataset's ``stimuli`` key, e.g.
``--cfg-options train_dataloader.dataset.stimuli=prepared/nsd_stimuli_224.hdf5``
(the ``Resize`` of the pipeline then keeps the size).
"""
import argparse
import os.path as osp
import time

from mmbrain.datasets.nsd import resize_stimuli
from mmbrain.datasets.nsd.layout import stimuli_path
from mmbrain.utils import report_user_errors


@report_user_errors
def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('data_root', help='the NSD download')
    parser.add_argument('--size', type=int, default=224)
    parser.add_argument(
        '--out', help='default: <data_root>/prepared/nsd_stimuli_<size>.hdf5')
    args = parser.parse_args()
    out = args.out or osp.join(args.data_root, 'prepared',
                               f'nsd_stimuli_{args.size}.hdf5')
    start = time.time()
    n = resize_stimuli(stimuli_path(args.data_root), out, args.size)
    print(f'{n} images resized to {args.size}x{args.size} in '
          f'{time.time() - start:.1f}s: {out}')


if __name__ == '__main__':
    main()
