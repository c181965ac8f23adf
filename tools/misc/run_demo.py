"""The demo pipeline behind ``make demo``.

Every stage is an ordinary tool call, printed before it runs, so that each can
be typed by hand. Stages that later issues add (NSD demo data, pretraining,
downstream transfer, brain response prediction) are listed as not built yet
rather than imitated. Example::

    python tools/misc/run_demo.py [--work-dir work_dirs/demo]
"""
import argparse
import os
import os.path as osp
import shlex
import subprocess
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

# Stages that do not exist yet, with the issue that builds them.
PENDING = [
    ('generate and prepare the demo NSD', 'issue 3, NSD data layer'),
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
    args = parser.parse_args()
    os.makedirs(osp.join(ROOT, args.work_dir), exist_ok=True)

    python = sys.executable
    run_stage('environment: versions and mmcv compiled ops',
              [python, 'tools/misc/collect_env.py'])

    print('\nNot built yet (the demo gains these stages as they land):')
    for stage, issue in PENDING:
        print(f'  - {stage} ({issue})')


if __name__ == '__main__':
    main()
