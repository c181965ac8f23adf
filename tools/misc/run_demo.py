"""The demo pipeline behind ``make demo``.

Every stage is an ordinary tool call, printed before it runs, so that each can
be typed by hand: demo data, pretraining, backbone export, retrieval, brain
response prediction of the held-out subject, and Mask R-CNN (COCO without NSD
images) and UperNet (ADE20K) fine-tuned from the exported backbone and from
random initialisation. The table of the figures reached is printed and
written to ``<work-dir>/summary.json``. Example::

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
from dataclasses import asdict

from mmbrain.datasets.nsd import layout
from mmbrain.datasets.nsd.demo import DemoSpec
from mmbrain.evaluation import headline_metrics

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PRETRAIN_CONFIG = 'configs/pretrain/demo/brainformer_convnext_demo.py'

INITS = ('random init', 'brain-pretrained')
ENCODING_CONFIGS = {
    'random init': 'configs/encoding/demo/ridge_convnext_demo_random.py',
    'brain-pretrained': 'configs/encoding/demo/ridge_convnext_demo_brain.py',
}
DOWNSTREAM_CONFIGS = {
    'mask_rcnn': {
        'random init':
        'configs/mask_rcnn/demo/mask-rcnn_convnext-demo_fpn_coco-demo_random.py',
        'brain-pretrained':
        'configs/mask_rcnn/demo/mask-rcnn_convnext-demo_fpn_coco-demo_brain.py',
    },
    'upernet': {
        'random init':
        'configs/upernet/demo/upernet_convnext-demo_ade20k-demo_random.py',
        'brain-pretrained':
        'configs/upernet/demo/upernet_convnext-demo_ade20k-demo_brain.py',
    },
}
COLUMNS = ('APbox', 'APsegm', 'mIoU', 'retrieval top-5', 'pcc/mean_r')


def run_stage(title, args):
    """Run one tool call from the repository root, echoing the command."""
    print(f'\n=== {title}\n$ {shlex.join(args)}', flush=True)
    start = time.time()
    subprocess.run(args, cwd=ROOT, check=True)
    print(f'--- done in {time.time() - start:.1f}s', flush=True)


def read_json(path):
    with open(osp.join(ROOT, path)) as f:
        return json.load(f)


def demo_data(python, data_root, seed):
    """Generate the demo NSD (with its COCO and ADE20K) and its cache unless
    ``data_root`` holds this very spec; returns the subjects."""
    summary_file = osp.join(ROOT, data_root, 'demo_summary.json')
    spec = asdict(DemoSpec(seed=seed))
    fresh = not (osp.exists(summary_file)
                 and read_json(summary_file)['spec'] == spec)
    if fresh:
        run_stage('generate the demo NSD in the raw NSD layout, with COCO '
                  'and ADE20K sets', [
                      python, 'tools/dataset_converters/make_demo_nsd.py',
                      data_root, '--seed', str(seed)
                  ])
    else:
        print(f'\n=== demo NSD already in {data_root}')
    subjects = [str(s) for s in read_json(summary_file)['subjects']]
    # a cache of earlier data would be reused as it is: rebuild it then
    run_stage('prepare the per-subject cache', [
        python, 'tools/dataset_converters/prepare_nsd.py', data_root,
        '--subjects', *subjects
    ] + (['--force'] if fresh else []))
    return subjects


def pretrain(python, work_dir, data_root):
    """Pretrain, export the backbone and measure retrieval; returns the
    checkpoint, the backbone file and the retrieval metrics."""
    pretrain_dir = osp.join(work_dir, 'pretrain')
    data_options = [
        f'{split}_dataloader.dataset.data_root={data_root}'
        for split in ('train', 'val', 'test')
    ]
    run_stage('brain-guided pretraining (held-out subject: the last)', [
        python, 'tools/train.py', PRETRAIN_CONFIG, '--work-dir', pretrain_dir,
        '--cfg-options', *data_options
    ])
    with open(osp.join(ROOT, pretrain_dir, 'last_checkpoint')) as f:
        checkpoint = f.read().strip()
    backbone = osp.join(work_dir, 'backbone.pth')
    run_stage('export the backbone for mmdet / mmseg', [
        python, 'tools/model_converters/export_backbone.py', checkpoint,
        backbone
    ])
    metrics_file = osp.join(work_dir, 'pretrain_retrieval.json')
    run_stage('image <-> brain retrieval on held-out images', [
        python, 'tools/test.py', PRETRAIN_CONFIG, checkpoint, '--work-dir',
        pretrain_dir, '--out', metrics_file, '--cfg-options', *data_options
    ])
    return checkpoint, backbone, read_json(metrics_file)


def encoding(python, work_dir, data_root, subject, backbone):
    """Ridge brain response prediction of the held-out ``subject`` from
    each backbone; returns the metrics per init."""
    results = {}
    for name, config in ENCODING_CONFIGS.items():
        out = osp.join(work_dir, f'encoding_{name.split()[0]}.json')
        options = [
            f'{split}_dataloader.dataset.{key}={value}'
            for split in ('train', 'test')
            for key, value in (('data_root', data_root),
                               ('subjects', f'[{subject}]'))
        ]
        if name == 'brain-pretrained':
            options.append(f'model.backbone.init_cfg.checkpoint={backbone}')
        run_stage(
            f'brain response prediction of held-out subject {subject}, '
            f'{name} backbone', [
                python, 'tools/analysis_tools/fit_encoding.py', config,
                '--work-dir',
                osp.join(work_dir, 'encoding'), '--out', out,
                '--cfg-options', *options
            ])
        results[name] = read_json(out)
    return results


def downstream(python, work_dir, data_root, backbone):
    """Mask R-CNN on the demo COCO without NSD images and UperNet on the
    demo ADE20K, each fine-tuned from random init and from ``backbone``
    and evaluated with tools/test.py; returns the metrics per task, init."""
    coco = osp.join(data_root, 'coco')
    run_stage('COCO annotations without the NSD images', [
        python, 'tools/dataset_converters/coco_exclude_nsd.py',
        osp.join(coco, 'annotations'),
        layout.stim_info_path(data_root)
    ])
    data_options = {
        'mask_rcnn': [
            f'train_dataloader.dataset.data_root={coco}/',
            f'test_dataloader.dataset.data_root={coco}/',
            f'test_evaluator.ann_file={coco}/annotations/'
            'instances_val2017_nonsd.json'
        ],
        'upernet': [
            f'{split}_dataloader.dataset.data_root='
            f'{osp.join(data_root, "ade20k")}' for split in ('train', 'test')
        ],
    }
    results = {}
    for task, configs in DOWNSTREAM_CONFIGS.items():
        for name, config in configs.items():
            run_dir = osp.join(work_dir, f'{task}_{name.split()[0]}')
            options = list(data_options[task])
            if name == 'brain-pretrained':
                options.append(
                    f'model.backbone.init_cfg.checkpoint={backbone}')
            run_stage(f'fine-tune {task}, {name} backbone', [
                python, 'tools/train.py', config, '--work-dir', run_dir,
                '--cfg-options', *options
            ])
            with open(osp.join(ROOT, run_dir, 'last_checkpoint')) as f:
                checkpoint = f.read().strip()
            out = osp.join(run_dir, 'test_metrics.json')
            run_stage(f'evaluate {task}, {name} backbone', [
                python, 'tools/test.py', config, checkpoint, '--work-dir',
                run_dir, '--out', out, '--cfg-options', *options
            ])
            results.setdefault(task, {})[name] = read_json(out)
    return results


def table(retrieval, encoded, transferred):
    """Rows per init, the columns of ``COLUMNS`` in percent (Pearson r as
    is). A detector with no detections has no COCO keys: its AP is 0."""
    rows = {}
    for name in INITS:
        det = headline_metrics(transferred['mask_rcnn'][name])
        seg = headline_metrics(transferred['upernet'][name])
        rows[name] = {
            'APbox': round(det.get('APbox', 0.0), 2),
            'APsegm': round(det.get('APsegm', 0.0), 2),
            'mIoU': round(seg['mIoU'], 2),
            # one pretraining: the random-init backbone never had one
            'retrieval top-5': (None if name == 'random init' else round(
                retrieval['retrieval/i2b_top5'], 2)),
            'pcc/mean_r': round(encoded[name]['pcc/mean_r'], 4),
        }
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--data-root', default='data/demo_nsd')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    os.makedirs(osp.join(ROOT, args.work_dir), exist_ok=True)
    start = time.time()

    python = sys.executable
    run_stage('environment: versions and mmcv compiled ops',
              [python, 'tools/misc/collect_env.py'])
    subjects = demo_data(python, args.data_root, args.seed)
    run_stage('data path speed from the cache', [
        python, 'tools/analysis_tools/benchmark_loader.py', args.data_root,
        '--subjects', *subjects[:-1], '--img-size', '224'
    ])
    checkpoint, backbone, retrieval = pretrain(python, args.work_dir,
                                               args.data_root)
    held_out = subjects[-1]
    encoded = encoding(python, args.work_dir, args.data_root, held_out,
                       backbone)
    transferred = downstream(python, args.work_dir, args.data_root,
                             backbone)
    rows = table(retrieval, encoded, transferred)

    summary = dict(
        data_root=args.data_root,
        seconds=round(time.time() - start, 1),
        table=rows,
        pretrain=dict(
            config=PRETRAIN_CONFIG,
            checkpoint=checkpoint,
            backbone=backbone,
            retrieval=retrieval),
        encoding=dict(subject=int(held_out), configs=ENCODING_CONFIGS,
                      metrics=encoded),
        downstream=dict(configs=DOWNSTREAM_CONFIGS, metrics=transferred))
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
    print('\nMask R-CNN APbox/APsegm on the demo COCO val without NSD, '
          'UperNet mIoU on the demo ADE20K val (percent), image->brain '
          'retrieval top-5 (percent), brain response prediction of '
          f'held-out subject {held_out} (mean Pearson r):')
    print(f'{"backbone":<18}' + ''.join(f'{c:>17}' for c in COLUMNS))
    for name, row in rows.items():
        print(f'{name:<18}' + ''.join(
            f'{"-":>17}' if row[c] is None else f'{row[c]:>17.2f}'
            if c != 'pcc/mean_r' else f'{row[c]:>17.3f}' for c in COLUMNS))
    print(f'written to {osp.join(args.work_dir, "summary.json")} '
          f'({summary["seconds"] / 60:.1f} min)')


if __name__ == '__main__':
    main()
