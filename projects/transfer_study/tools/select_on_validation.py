"""Choose between pretraining settings on the validation probes.

    python projects/transfer_study/tools/select_on_validation.py \\
        byol=configs/pretrain/demo/byol_convnext_demo.py \\
        simclr=configs/pretrain/demo/simclr_convnext_demo.py \\
        --work-dir work_dirs/selection

Every candidate is pretrained from seed ``--seed``'s shared starting point
(the backbone of ``--start-config`` under that seed; 100 by default, apart
from the study's seeds), exported, and probed on the validation scenes,
which are drawn from other seeds than the study's probe scenes; the
starting point itself is probed too. Prints each candidate's probes and
their mean, and chooses the highest mean; writes
``<work-dir>/selection.json``. Stages whose result exists are skipped.
"""
import argparse
import os.path as osp
import sys

# the repository, whose projects/ holds this project
sys.path.insert(
    0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..', '..'))

from mmbrain.utils import report_user_errors  # noqa: E402
from projects.transfer_study.transfer_study.arms import (  # noqa: E402
    DEMO_DOWNSTREAM, parse_arms)
from projects.transfer_study.transfer_study.selection import (  # noqa: E402
    select_on_validation, selection_table)


@report_user_errors
def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('candidates', nargs='+', help='NAME=CONFIG')
    parser.add_argument('--work-dir', default='work_dirs/selection')
    parser.add_argument('--data-root', default='data/demo_nsd')
    parser.add_argument('--subjects', type=int, nargs='+', default=[1, 2, 3],
                        help='pretraining subjects, then the held-out one')
    parser.add_argument('--start-config',
                        default='configs/pretrain/demo/'
                        'brainformer_convnext_demo.py',
                        help="the config whose backbone is every "
                        "candidate's starting point")
    parser.add_argument('--probe-config', default=DEMO_DOWNSTREAM['encoding'])
    parser.add_argument('--seed', type=int, default=100)
    args = parser.parse_args()
    candidates = parse_arms(args.candidates)
    if None in candidates.values() or 'start' in candidates:
        parser.error('candidates are NAME=CONFIG; the starting point '
                     '("start") is probed anyway')
    result = select_on_validation(candidates, args.work_dir, args.data_root,
                                  args.subjects, args.probe_config,
                                  args.start_config, args.seed)
    print(f'\nvalidation probes (percent), seed {args.seed}; * chosen '
          '(the highest mean):')
    print(selection_table(result))
    print(f'written to {osp.join(args.work_dir, "selection.json")} '
          f'({result["seconds_run"] / 60:.1f} min of tool calls)')


if __name__ == '__main__':
    main()
