"""The demo pipeline behind ``make demo``.

Every stage is an ordinary tool call, printed before it runs, so that each can
be typed by hand: demo data, the COCO annotations without NSD images, then
the downstream tasks' floors, then the transfer study with one seed over
six arms (the shared starting point as random init, the shuffled-fMRI
control, the paper's recipe, the recommended recipe, and the oracle and
voxel-encoding positive controls), two at a time (``--jobs``): pretraining,
export, retrieval, brain response prediction of the held-out subject, the
frozen-feature probes, and Mask R-CNN and UperNet trained on the frozen
backbone and tested; then the ROI attention maps of the two brain-guided
recipes. The tables and the validity gate are printed and written to
``<work-dir>/summary.json``, and the pictures are listed at the end.
Example::

    python projects/transfer_study/tools/run_demo.py \
        [--data-root data/demo_nsd] [--seed 0]
"""
import argparse
import os.path as osp
import sys

# the repository, whose projects/ holds this project
sys.path.insert(
    0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..', '..'))

from mmbrain.utils import report_user_errors  # noqa: E402
from projects.transfer_study.transfer_study.demo import run_demo  # noqa: E402


@report_user_errors
def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--data-root', default='data/demo_nsd')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--jobs',
                        type=int,
                        default=2,
                        help="the study's runs at once (its --jobs)")
    args = parser.parse_args()
    run_demo(args.work_dir, args.data_root, args.seed, args.jobs)


if __name__ == '__main__':
    main()
