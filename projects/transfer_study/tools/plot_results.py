"""Plot results the tools wrote: a transfer study's metrics or its paired
comparisons, or a training run's curves.

    # a panel per metric (the gated first), a bar per arm, its 95% interval
    python projects/transfer_study/tools/plot_results.py study \\
        work_dirs/transfer_study/study.json --out study.png
    # a panel per judged endpoint, a row per pair: difference and interval
    python projects/transfer_study/tools/plot_results.py comparisons \\
        work_dirs/transfer_study/study.json --out comparisons.png
    # losses and temperature against the iteration, from mmengine's log
    python projects/transfer_study/tools/plot_results.py curves \\
        work_dirs/demo/seed0/recommended/pretrain --out loss_curves.png

The transfer study and ``make demo`` draw both themselves; this tool redraws
them (the README's figures under ``resources/`` among them).
"""
import argparse
import os.path as osp
import sys

# the repository, whose projects/ holds this project
sys.path.insert(
    0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..', '..'))

from mmbrain.utils import (UserError, read_json,  # noqa: E402
                           report_user_errors)
from mmbrain.visualization import plot_loss_curves  # noqa: E402
from projects.transfer_study.transfer_study.hypotheses import (  # noqa: E402
    ALPHA)
from projects.transfer_study.transfer_study.plots import (  # noqa: E402
    plot_comparisons, plot_study)


@report_user_errors
def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest='kind', required=True)
    study = sub.add_parser('study', help="a transfer study's study.json")
    study.add_argument('study_json')
    study.add_argument('--metrics', nargs='+',
                       help='panels (default: every endpoint)')
    pairs = sub.add_parser(
        'comparisons', help="a transfer study's study.json, its paired "
        'comparisons')
    pairs.add_argument('study_json')
    curves = sub.add_parser('curves', help='a work dir of tools/train.py')
    curves.add_argument('work_dir')
    curves.add_argument('--keys', nargs='+',
                        help="scalars (default: every loss* and the "
                        'temperature)')
    for p in (study, pairs, curves):
        p.add_argument('--out', required=True, help='the PNG to write')
        p.add_argument('--title')
    args = parser.parse_args()
    if args.kind == 'study':
        options = {} if args.metrics is None else dict(metrics=args.metrics)
        study = read_json(args.study_json)
        if 'summary' not in study:
            raise UserError(f'{args.study_json}: no "summary"; not the '
                             'study.json of transfer_study.py')
        plot_study(study['summary'], args.out, gates=study.get('gate'),
                   title=args.title, **options)
    elif args.kind == 'comparisons':
        study = read_json(args.study_json)
        comparisons = study.get('comparisons', []) + study.get(
            'h3', {}).get('comparisons', [])
        if not comparisons:
            raise UserError(f'{args.study_json}: no "comparisons" (a study '
                             'of two seeds or more whose arms are compared)')
        plot_comparisons(comparisons, args.out, ALPHA, args.title)
    else:
        plot_loss_curves(args.work_dir, args.out, args.keys, args.title)
    print(f'written to {args.out}')


if __name__ == '__main__':
    main()
