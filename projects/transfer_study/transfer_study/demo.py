"""The demo pipeline behind ``make demo``, as tool calls echoed before they
run: the demo data, the loader's speed, the transfer study with one seed
and the ROI attention maps of the two pretrained recipes."""
import glob
import os
import os.path as osp
import sys
import time
from dataclasses import asdict
from typing import List

from mmbrain.datasets.demo import DemoSpec, generator_version
from mmbrain.datasets.demo.features_file import features_path
from mmbrain.datasets.nsd import layout
from mmbrain.utils import last_checkpoint, read_json, write_json
from .arms import DEMO_ARMS, REPO_ROOT
from .stages import StageProgress, move_aside, run_stage
from .study import runs_of_other_data

# the arms make demo fine-tunes Mask R-CNN and UperNet for: all but the
# positive control, whose fine-tunes (its gate on AP and mIoU) the
# five-seed study runs, to keep make demo's time
FINETUNED = tuple(arm.partition('=')[0] for arm in DEMO_ARMS
                  if not arm.startswith('labels='))


def demo_data(python: str, data_root: str, seed: int, progress: StageProgress,
              root: str = REPO_ROOT) -> List[str]:
    """Generate the demo NSD (with its COCO and ADE20K) and its cache unless
    ``data_root`` holds this very spec written by this very generator, and
    the COCO annotations without the NSD images; returns the subjects."""
    summary_file = osp.join(root, data_root, 'demo_summary.json')
    spec = asdict(DemoSpec(seed=seed))
    made = read_json(summary_file) if osp.exists(summary_file) else {}
    fresh = not (made.get('spec') == spec
                 and made.get('generator') == generator_version()
                 and osp.exists(features_path(layout.stimuli_path(
                     osp.join(root, data_root)))))
    if fresh:
        run_stage('generate the demo NSD in the raw NSD layout, with COCO '
                  'and ADE20K sets', [
                      python, 'tools/dataset_converters/make_demo_nsd.py',
                      data_root, '--seed', str(seed)
                  ], root)
    else:
        print(f'\n=== demo NSD already in {data_root}')
    progress.update()
    subjects = [str(s) for s in read_json(summary_file)['subjects']]
    # a cache of earlier data would be reused as it is: rebuild it then
    # the demo has a few sessions per subject, not NSD's 30-40; the six
    # groups, and nsdgeneral for the MindEye form
    run_stage('prepare the per-subject cache', [
        python, 'tools/dataset_converters/prepare_nsd.py', data_root,
        '--subjects', *subjects, '--allow-partial', '--rois',
        *layout.ROI_GROUPS, 'nsdgeneral'
    ] + (['--force'] if fresh else []), root)
    progress.update()
    run_stage('COCO annotations without the NSD images', [
        python, 'tools/dataset_converters/coco_exclude_nsd.py',
        osp.join(data_root, 'coco', 'annotations'),
        layout.stim_info_path(data_root)
    ], root)
    progress.update()
    return subjects


def run_demo(work_dir: str = 'work_dirs/demo',
             data_root: str = 'data/demo_nsd',
             seed: int = 0,
             jobs: int = 2,
             root: str = REPO_ROOT) -> dict:
    """Every stage of the demo, the study's arms ``jobs`` at once; writes
    and returns ``summary.json``'s content (``arms``: the study's run of
    each arm)."""
    os.makedirs(osp.join(root, work_dir), exist_ok=True)
    start = time.time()

    python = sys.executable
    progress = StageProgress(9)
    run_stage('environment: versions and mmcv compiled ops',
              [python, 'tools/misc/collect_env.py'], root)
    progress.update()
    subjects = demo_data(python, data_root, seed, progress, root)
    if runs_of_other_data(work_dir, data_root, root):
        aside = move_aside(osp.join(root, work_dir), '.earlier-data')
        print(f'\n=== {data_root} was generated anew (another generator or '
              f'spec): the runs of the earlier data in {work_dir} moved to '
              f'{osp.relpath(aside, root)}')
        os.makedirs(osp.join(root, work_dir))
    run_stage('data path speed from the cache', [
        python, 'tools/analysis_tools/benchmark_loader.py', data_root,
        '--subjects', *subjects[:-1], '--img-size', '224'
    ], root)
    progress.update()
    baselines = osp.join(work_dir, 'baselines.json')
    run_stage('the downstream tasks\' floors, from the data alone', [
        python, 'projects/transfer_study/tools/downstream_baselines.py',
        data_root,
        '--out', baselines
    ], root)
    progress.update()
    run_stage('transfer study, one seed: the shared starting point (random '
              'init), the brain and its shuffled-fMRI control, image-only '
              'self-supervision (MoCo v3), the brain on top of it, captions, '
              'and the positive control (COCO labels of the same images)', [
                  python, 'projects/transfer_study/tools/transfer_study.py',
                  '--seeds', str(seed), '--data-root', data_root,
                  '--subjects', *subjects, '--work-dir', work_dir,
                  '--jobs', str(jobs), '--arms', *DEMO_ARMS, '--finetune',
                  *FINETUNED
              ], root)
    progress.update()
    study = read_json(osp.join(root, work_dir, 'study.json'))
    for arm in ('recommended', 'ssl+brain'):
        run_dir = osp.join(work_dir, f'seed{seed}', arm)
        run_stage(f'ROI attention maps of the {arm} arm, held-out images', [
                      python, 'tools/analysis_tools/visualize_roi_attention.py',
                      study['arms'][arm],
                      last_checkpoint(osp.join(root, run_dir, 'pretrain')),
                      '--out-dir', osp.join(run_dir, 'roi_attention'),
                      '--cfg-options',
                      f'test_dataloader.dataset.data_root={data_root}',
                      'test_dataloader.dataset.subjects=[{}]'.format(
                          ','.join(subjects[:-1]))
                  ], root)
        progress.update()
    summary = dict(
        data_root=data_root,
        seed=seed,
        seconds=round(time.time() - start, 1),
        arms={arm: runs[str(seed)] for arm, runs in study['runs'].items()},
        # endpoint -> does the positive control move it (the validity gate)
        gate={m: g['passed'] for m, g in study.get('gate', {}).items()},
        baselines=read_json(osp.join(root, baselines)),
        configs=dict(pretrain=study['arms'], **study['downstream']),
        work_dirs={arm: osp.join(work_dir, f'seed{seed}', arm)
                   for arm in study['arms']})
    write_json(osp.join(root, work_dir, 'summary.json'), summary)
    pictures = sorted(
        osp.relpath(p, root) for p in glob.glob(
            osp.join(root, work_dir, '**', '*.png'), recursive=True))
    print(f'\n=== make demo: {summary["seconds"] / 60:.1f} min, written to '
          f'{osp.join(work_dir, "summary.json")}; {len(pictures)} '
          'pictures:')
    print('\n'.join(f'  {p}' for p in pictures))
    events = glob.glob(osp.join(root, work_dir, '**', 'events.out.tfevents.*'),
                       recursive=True)
    print(f'{len(events)} TensorBoard logs of the trainings: tensorboard '
          f'--logdir {work_dir}')
    return summary
