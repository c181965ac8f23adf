"""The floors of the demo's downstream tasks, from its data alone.

    python projects/transfer_study/tools/downstream_baselines.py \
        data/demo_nsd [--out work_dirs/demo/baselines.json]

APbox and APsegm of a detector that knows the demo's layout rules but not
the pixels (a box of each category's median size at each quadrant's centre,
scored by the category's share), on COCO val2017 without NSD images; mIoU of
sky above the middle row and of sky above each image's true horizon, on the
ADE20K validation maps (``transfer_study/baselines.py``). A random-init
fine-tune must clear them before a difference between arms means anything.
"""
import argparse
import contextlib
import io
import os.path as osp
import sys

# the repository, whose projects/ holds this project
sys.path.insert(
    0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..', '..'))

from mmbrain.utils import report_user_errors, write_json
from projects.transfer_study.transfer_study.baselines import (  # noqa: E402
    downstream_baselines)


@report_user_errors
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
