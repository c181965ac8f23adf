"""The floors of the demo's downstream tasks, from its data alone.

    python tools/analysis_tools/downstream_baselines.py data/demo_nsd \
        [--out work_dirs/demo/baselines.json]

APbox and APsegm of a detector that knows the demo's layout rules but not
the pixels (a box of each category's median size at each quadrant's centre,
scored by the category's share), on COCO val2017 without NSD images; mIoU of
sky above the middle row and of sky above each image's true horizon, on the
ADE20K validation maps (``mmbrain/experiments/baselines.py``). A random-init
fine-tune must clear them before a difference between arms means anything.
"""
import argparse
import contextlib
import io

from mmbrain.experiments.baselines import downstream_baselines
from mmbrain.utils import write_json


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('data_root', help='a demo NSD root (coco/, ade20k/)')
    parser.add_argument('--out', help='json of the scores')
    args = parser.parse_args()
    with contextlib.redirect_stdout(io.StringIO()):  # COCOeval's tables
        scores = downstream_baselines(args.data_root)
    for name, value in scores.items():
        print(f'{name:<14}{value:>7.2f}')
    if args.out:
        write_json(args.out, scores)
        print(f'written to {args.out}')


if __name__ == '__main__':
    main()
