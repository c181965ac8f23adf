"""The demo pipeline behind ``make demo``.

Every stage is an ordinary tool call, printed before it runs, so that each can
be typed by hand: demo data, the COCO annotations without NSD images, then
the transfer study with one seed over four arms (random init, the shuffled-
fMRI control, the paper's recipe, the recommended recipe): pretraining,
export, retrieval, brain response prediction of the held-out subject, and
Mask R-CNN and UperNet fine-tuned and tested, then the ROI attention maps
of the two pretrained recipes. The table is printed and written to
``<work-dir>/summary.json`` under ``arms``, and the pictures are listed at
the end. Example::

    python tools/misc/run_demo.py [--data-root data/demo_nsd] [--seed 0]
"""
import argparse
import glob
import json
import os
import os.path as osp
import sys
import time
from dataclasses import asdict

from mmbrain.datasets.nsd import layout
from mmbrain.datasets.demo import DemoSpec
from mmbrain.utils import StageProgress, last_checkpoint, read_json, run_stage

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def demo_data(python, data_root, seed, progress):
    """Generate the demo NSD (with its COCO and ADE20K) and its cache unless
    ``data_root`` holds this very spec, and the COCO annotations without
    the NSD images; returns the subjects."""
    summary_file = osp.join(ROOT, data_root, 'demo_summary.json')
    spec = asdict(DemoSpec(seed=seed))
    fresh = not (osp.exists(summary_file)
                 and read_json(summary_file)['spec'] == spec)
    if fresh:
        run_stage('generate the demo NSD in the raw NSD layout, with COCO '
                  'and ADE20K sets', [
                      python, 'tools/dataset_converters/make_demo_nsd.py',
                      data_root, '--seed', str(seed)
                  ], ROOT)
    else:
        print(f'\n=== demo NSD already in {data_root}')
    progress.update()
    subjects = [str(s) for s in read_json(summary_file)['subjects']]
    # a cache of earlier data would be reused as it is: rebuild it then
    # the demo has a few sessions per subject, not NSD's 30-40
    run_stage('prepare the per-subject cache', [
        python, 'tools/dataset_converters/prepare_nsd.py', data_root,
        '--subjects', *subjects, '--allow-partial'
    ] + (['--force'] if fresh else []), ROOT)
    progress.update()
    run_stage('COCO annotations without the NSD images', [
        python, 'tools/dataset_converters/coco_exclude_nsd.py',
        osp.join(data_root, 'coco', 'annotations'),
        layout.stim_info_path(data_root)
    ], ROOT)
    progress.update()
    return subjects


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--data-root', default='data/demo_nsd')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    os.makedirs(osp.join(ROOT, args.work_dir), exist_ok=True)
    start = time.time()

    python = sys.executable
    progress = StageProgress(8)
    run_stage('environment: versions and mmcv compiled ops',
              [python, 'tools/misc/collect_env.py'], ROOT)
    progress.update()
    subjects = demo_data(python, args.data_root, args.seed, progress)
    run_stage('data path speed from the cache', [
        python, 'tools/analysis_tools/benchmark_loader.py', args.data_root,
        '--subjects', *subjects[:-1], '--img-size', '224'
    ], ROOT)
    progress.update()
    run_stage('transfer study, one seed: random init, shuffled-fMRI '
              'control, paper recipe, recommended recipe', [
                  python, 'tools/analysis_tools/transfer_study.py',
                  '--seeds', str(args.seed), '--data-root', args.data_root,
                  '--subjects', *subjects, '--work-dir', args.work_dir
              ], ROOT)
    progress.update()
    study = read_json(osp.join(ROOT, args.work_dir, 'study.json'))
    for arm, method in (('recommended', 'attention pooling'),
                        ('paper', 'Grad-CAM')):
        run_dir = osp.join(args.work_dir, f'seed{args.seed}', arm)
        run_stage(f'ROI attention maps of the {arm} recipe ({method}), '
                  'held-out images', [
                      python, 'tools/analysis_tools/visualize_roi_attention.py',
                      study['arms'][arm],
                      last_checkpoint(osp.join(ROOT, run_dir, 'pretrain')),
                      '--out-dir', osp.join(run_dir, 'roi_attention'),
                      '--cfg-options',
                      f'test_dataloader.dataset.data_root={args.data_root}',
                      'test_dataloader.dataset.subjects=[{}]'.format(
                          ','.join(subjects[:-1]))
                  ], ROOT)
        progress.update()
    summary = dict(
        data_root=args.data_root,
        seed=args.seed,
        seconds=round(time.time() - start, 1),
        arms={arm: runs[str(args.seed)]
              for arm, runs in study['runs'].items()},
        configs=dict(pretrain=study['arms'], **study['downstream']),
        work_dirs={arm: osp.join(args.work_dir, f'seed{args.seed}', arm)
                   for arm in study['arms']})
    with open(osp.join(ROOT, args.work_dir, 'summary.json'), 'w') as f:
        json.dump(summary, f, indent=2)
    pictures = sorted(
        osp.relpath(p, ROOT) for p in glob.glob(
            osp.join(ROOT, args.work_dir, '**', '*.png'), recursive=True))
    print(f'\n=== make demo: {summary["seconds"] / 60:.1f} min, written to '
          f'{osp.join(args.work_dir, "summary.json")}; {len(pictures)} '
          'pictures:')
    print('\n'.join(f'  {p}' for p in pictures))


if __name__ == '__main__':
    main()
