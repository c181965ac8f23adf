"""The demo pipeline behind ``make demo``.

Every stage is an ordinary tool call, printed before it runs, so that each can
be typed by hand. Stages that later issues add (pretraining, downstream
transfer, brain response prediction) are listed as not built yet rather than
imitated. Example::

    python tools/misc/run_demo.py [--data-root data/demo_nsd] [--seed 0]
"""
import argparse
import json
import os
import os.path as osp
import shlex
import subprocess
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

# Stages that do not exist yet, with the issue that builds them.
PENDING = [
    ('brain-guided pretraining and backbone export',
     'issue 4, Brainformer pretraining'),
    ('Mask R-CNN / UperNet transfer', 'issue 5, downstream transfer'),
    ('brain response prediction', 'issue 6, encoding'),
]


def run_stage(title, args):
    """Run one tool call from the repository root, echoing the command."""
    print(f'\n=== {title}\n$ {shlex.join(args)}', flush=True)
    start = time.time()
    subprocess.run(args, cwd=ROOT, check=True)
    print(f'--- done in {time.time() - start:.1f}s', flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--data-root', default='data/demo_nsd')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    os.makedirs(osp.join(ROOT, args.work_dir), exist_ok=True)

    python = sys.executable
    run_stage('environment: versions and mmcv compiled ops',
              [python, 'tools/misc/collect_env.py'])
    if osp.exists(osp.join(ROOT, args.data_root, 'demo_summary.json')):
        print(f'\n=== demo NSD already in {args.data_root}')
    else:
        run_stage('generate the demo NSD in the raw NSD layout', [
            python, 'tools/dataset_converters/make_demo_nsd.py',
            args.data_root, '--seed',
            str(args.seed)
        ])
    with open(osp.join(ROOT, args.data_root, 'demo_summary.json')) as f:
        subjects = [str(s) for s in json.load(f)['subjects']]
    run_stage('prepare the per-subject cache', [
        python, 'tools/dataset_converters/prepare_nsd.py', args.data_root,
        '--subjects', *subjects
    ])
    run_stage('data path speed from the cache', [
        python, 'tools/analysis_tools/benchmark_loader.py', args.data_root,
        '--subjects', *subjects[:-1], '--img-size', '224'
    ])

    print('\nNot built yet (the demo gains these stages as they land):')
    for stage, issue in PENDING:
        print(f'  - {stage} ({issue})')


if __name__ == '__main__':
    main()
