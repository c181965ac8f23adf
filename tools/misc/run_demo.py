"""The demo pipeline behind ``make demo``.

Every stage is an ordinary tool call, printed before it runs, so that each can
be typed by hand. Stages that later issues add (downstream transfer) are
listed as not built yet rather than imitated. The figures reached go to
``<work-dir>/summary.json``. Example::

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
PRETRAIN_CONFIG = 'configs/pretrain/demo/brainformer_convnext_demo.py'

# Stages that do not exist yet, with the issue that builds them.
PENDING = [
    ('Mask R-CNN / UperNet transfer', 'issue 5, downstream transfer'),
]
ENCODING_CONFIGS = {
    'random init': 'configs/encoding/demo/ridge_convnext_demo_random.py',
    'brain-pretrained': 'configs/encoding/demo/ridge_convnext_demo_brain.py',
}


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

    pretrain_dir = osp.join(args.work_dir, 'pretrain')
    data_options = [
        f'{split}_dataloader.dataset.data_root={args.data_root}'
        for split in ('train', 'val', 'test')
    ]
    run_stage('brain-guided pretraining (held-out subject: the last)', [
        python, 'tools/train.py', PRETRAIN_CONFIG, '--work-dir', pretrain_dir,
        '--cfg-options', *data_options
    ])
    with open(osp.join(ROOT, pretrain_dir, 'last_checkpoint')) as f:
        checkpoint = f.read().strip()
    backbone = osp.join(args.work_dir, 'backbone.pth')
    run_stage('export the backbone for mmdet / mmseg', [
        python, 'tools/model_converters/export_backbone.py', checkpoint,
        backbone
    ])
    metrics_file = osp.join(args.work_dir, 'pretrain_retrieval.json')
    run_stage('image <-> brain retrieval on held-out images', [
        python, 'tools/test.py', PRETRAIN_CONFIG, checkpoint, '--work-dir',
        pretrain_dir, '--out', metrics_file, '--cfg-options', *data_options
    ])
    with open(osp.join(ROOT, metrics_file)) as f:
        retrieval = json.load(f)

    held_out = subjects[-1]
    encoding = {}
    for name, config in ENCODING_CONFIGS.items():
        out = osp.join(args.work_dir, f'encoding_{name.split()[0]}.json')
        options = [
            f'{split}_dataloader.dataset.{key}={value}'
            for split in ('train', 'test')
            for key, value in (('data_root', args.data_root),
                               ('subjects', f'[{held_out}]'))
        ]
        if name == 'brain-pretrained':
            options.append(f'model.backbone.init_cfg.checkpoint={backbone}')
        run_stage(
            f'brain response prediction of held-out subject {held_out}, '
            f'{name} backbone', [
                python, 'tools/analysis_tools/fit_encoding.py', config,
                '--work-dir',
                osp.join(args.work_dir, 'encoding'), '--out', out,
                '--cfg-options', *options
            ])
        with open(osp.join(ROOT, out)) as f:
            encoding[name] = json.load(f)

    summary = dict(
        data_root=args.data_root,
        pretrain=dict(
            config=PRETRAIN_CONFIG,
            checkpoint=checkpoint,
            backbone=backbone,
            retrieval=retrieval),
        encoding=dict(subject=int(held_out), configs=ENCODING_CONFIGS,
                      metrics=encoding))
    with open(osp.join(ROOT, args.work_dir, 'summary.json'), 'w') as f:
        json.dump(summary, f, indent=2)
    print('\n=== summary')
    print(f'pretraining checkpoint  {checkpoint}')
    print(f'exported backbone       {backbone}')
    for direction in ('i2b', 'b2i'):
        for k in (1, 5):
            key = f'retrieval/{direction}_top{k}'
            chance = retrieval[f'retrieval/chance_top{k}']
            print(f'{key:<24}{retrieval[key]:6.1f}%  (chance {chance:.1f}%)')
    print(f'\nbrain response prediction, held-out subject {held_out} '
          '(Pearson r over test images per voxel):')
    columns = ('pcc/mean_r', 'pcc/roi_median_r', 'pcc/noise_normalized')
    print(f'{"backbone":<18}' + ''.join(f'{c:>24}' for c in columns))
    for name, metrics in encoding.items():
        print(f'{name:<18}' + ''.join(
            f'{metrics.get(c, float("nan")):>24.4f}' for c in columns))
    print(f'written to {osp.join(args.work_dir, "summary.json")}')

    print('\nNot built yet (the demo gains these stages as they land):')
    for stage, issue in PENDING:
        print(f'  - {stage} ({issue})')


if __name__ == '__main__':
    main()
