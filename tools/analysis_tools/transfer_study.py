"""Does the brain signal make the backbone better downstream? Arms over seeds.

Each arm is a pretraining config (or ``random``: no pretraining). For every
seed and arm this tool pretrains (``randomness.seed``; a config that shuffles
the responses gets the seed as its permutation too), exports the backbone,
measures image->brain retrieval on the held-out images, fits the ridge
readout of the held-out subject, and fine-tunes and tests Mask R-CNN and
UperNet with the same seed. Every stage is a tool call, echoed before it
runs; a stage whose result exists is skipped (a training once its work dir
holds ``finished``), so a killed study resumes, a killed training from its
last checkpoint.
Prints mean ± std (over seeds, ddof 1) per arm and metric, and writes
``<work-dir>/study.json`` and its plot ``study.png`` (a panel per metric,
a bar per arm, the std over seeds as error bars); in ``seed<S>/<arm>``
every pretrained run also leaves ``pretrain/loss_curves.png``, and every
run the brain map of its readout under ``encoding/`` (``brain_map.png``;
``roi_r.png`` for Algonauts data). Example (the demo's four arms, three seeds)::

    python tools/analysis_tools/transfer_study.py --seeds 0 1 2 \\
        --work-dir work_dirs/transfer_study

Arms are ``NAME=CONFIG`` (``--arms random shuffled=configs/...``). The
downstream configs are the random-init forms; pretrained arms load their
backbone through ``model.backbone.init_cfg``. ``--ablations`` runs the demo
forms of the paper's Table 3, ``mindeye`` and ``neurofusion`` beside
``random`` and ``recommended``, and adds a table shaped as Table 3 with the
paper's rows. ``--recipe paper`` gives every pretrained arm the paper's
head instead of the recommended one, and ``--pretrain-epochs`` shortens
pretraining (a work dir keeps one setting)::

    python tools/analysis_tools/transfer_study.py --ablations \
        --pretrain-epochs 6 --work-dir work_dirs/ablations
"""
import argparse
import glob
import json
import os
import os.path as osp
import statistics
import sys
import time
from typing import Dict, List, Optional, Sequence

from mmengine.config import Config

from mmbrain.evaluation import headline_metrics
from mmbrain.utils import (StageProgress, last_checkpoint, read_json,
                           run_stage)
from mmbrain.visualization import plot_loss_curves, plot_study

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO_ARMS = (
    'random',
    'shuffled=configs/pretrain/demo/brainformer_convnext_demo_shuffled.py',
    'paper=configs/pretrain/demo/brainformer_convnext_demo_paper.py',
    'recommended=configs/pretrain/demo/brainformer_convnext_demo.py',
)
DEMO_DOWNSTREAM = dict(
    encoding='configs/encoding/demo/ridge_convnext_demo_random.py',
    mask_rcnn=(
        'configs/mask_rcnn/demo/mask-rcnn_convnext-demo_fpn_coco-demo_random.py'
    ),
    upernet='configs/upernet/demo/upernet_convnext-demo_ade20k-demo_random.py')
DEMO_ABLATION_ARMS = ('random', 'recommended=configs/pretrain/demo/'
                      'brainformer_convnext_demo.py') + tuple(
    f'{name}=configs/pretrain/demo/ablations/brainformer_convnext_demo_'
    f'{name}.py' for name in (
        'pos-embed', 'window32-stride16', 'window32-stride8', 'no-guidance',
        'linear-encoder', '1-subject', 'lambda-con0.3-bfg0.7',
        'lambda-con0.7-bfg0.3')) + (
            'mindeye=configs/pretrain/demo/mindeye_convnext_demo.py',
            'neurofusion=configs/pretrain/demo/neurofusion_convnext_demo.py')
# --recipe paper: the keys in which configs/pretrain/*_paper.py differ from
# the recommended recipe, as --cfg-options
PAPER_RECIPE = ('model.head.roi_pooling=global',
                'model.head.guidance_loss.negatives=rois')
# ConvNeXt-S in the paper (box AP, mask AP, mIoU, PCC): Table 1 and the
# ablation rows of Table 3, by the arm names used here
PAPER_ROWS = {
    'random': (42.6, 39.8, 39.22, 54.21),
    'paper': (45.1, 44.0, 42.92, 57.43),
    'recommended': (45.1, 44.0, 42.92, 57.43),
    'pos-embed': (41.9, 41.8, 41.72, 56.19),
    'no-guidance': (42.7, 40.7, 41.80, 56.25),
    'linear-encoder': (42.8, 39.1, 39.54, 54.39),
    '1-subject': (42.5, 39.3, 39.15, 54.20),
}
METRICS = ('APbox', 'APsegm', 'mIoU', 'retrieval_top5', 'mean_r')
# the metrics on which the target is judged
TRANSFER = ('APbox', 'APsegm', 'mIoU')


class Study:
    """The tool calls of one arm and seed, in ``<work_dir>/seed<S>/<arm>``.

    Args:
        data_root (str): The demo-layout root (NSD, ``coco/``, ``ade20k/``).
        subjects (list[int]): Pretraining subjects, then the held-out one.
        downstream (dict): ``encoding``, ``mask_rcnn``, ``upernet`` configs.
    """

    def __init__(self,
                 work_dir: str,
                 data_root: str,
                 subjects: List[int],
                 downstream: Dict[str, str],
                 pretrain_options: Sequence[str] = ()):
        self.work_dir = work_dir
        self.data_root = data_root
        self.subjects = subjects
        self.downstream = downstream
        self.pretrain_options = pretrain_options
        self.python = sys.executable
        self.seconds = 0.

    def stage(self, title: str, args: List[str], result: str) -> str:
        """Run ``args`` unless ``result`` (a path) exists; returns it."""
        if osp.exists(osp.join(ROOT, result)):
            print(f'\n=== {title}: {result} exists, skipped', flush=True)
        else:
            self.seconds += run_stage(title, [self.python] + args, ROOT)
        return result

    def train(self, title: str, config: str, work_dir: str,
              options: List[str]) -> str:
        """Train ``config`` in ``work_dir`` unless it finished; a killed
        training resumes from its last checkpoint. Returns the final
        checkpoint."""
        finished = osp.join(work_dir, 'finished')
        self.stage(title, [
            'tools/train.py', config, '--work-dir', work_dir, '--resume',
            '--cfg-options', *options
        ], finished)
        open(osp.join(ROOT, finished), 'a').close()  # marks a run that ended
        return last_checkpoint(osp.join(ROOT, work_dir))

    def pretrain(self, config: str, seed: int, run_dir: str):
        """Pretrain, export, retrieval; returns (backbone, retrieval)."""
        data = [
            f'{split}_dataloader.dataset.data_root={self.data_root}'
            for split in ('train', 'val', 'test')
        ]
        # the config's own subjects where the study has them (1-subject
        # ablations), else the study's pretraining subjects
        cfg = Config.fromfile(osp.join(ROOT, config))
        own = cfg.train_dataloader.dataset.subjects
        train_subjects = str([s for s in own if s in self.subjects[:-1]]
                             or self.subjects[:-1]).replace(' ', '')
        data += [
            f'{split}_dataloader.dataset.subjects={train_subjects}'
            for split in ('train', 'val', 'test')
        ] + applicable(cfg, self.pretrain_options)
        if 'subjects' in cfg.model.brain_encoder:  # a map per subject
            data.append(f'model.brain_encoder.subjects={train_subjects}')
        options = data + [f'randomness.seed={seed}']
        if cfg.train_dataloader.dataset.get('shuffle_responses') is not None:
            options.append(
                f'train_dataloader.dataset.shuffle_responses={seed}')
        pretrain_dir = osp.join(run_dir, 'pretrain')
        checkpoint = self.train(f'pretrain {config} (seed {seed})', config,
                                pretrain_dir, options)
        curves = osp.join(ROOT, pretrain_dir, 'loss_curves.png')
        if not osp.exists(curves):
            plot_loss_curves(osp.join(ROOT, pretrain_dir), curves,
                             title=f'{config} (seed {seed})')
        backbone = self.stage('export the backbone', [
            'tools/model_converters/export_backbone.py', checkpoint,
            osp.join(run_dir, 'backbone.pth')
        ], osp.join(run_dir, 'backbone.pth'))
        retrieval = self.stage('image <-> brain retrieval, held-out images', [
            'tools/test.py', config, checkpoint, '--work-dir', pretrain_dir,
            '--out',
            osp.join(run_dir, 'retrieval.json'), '--cfg-options', *data
        ], osp.join(run_dir, 'retrieval.json'))
        return backbone, read_json(osp.join(ROOT, retrieval))

    def evaluate(self, seed: int, run_dir: str,
                 backbone: Optional[str]) -> Dict[str, dict]:
        """Held-out brain prediction, Mask R-CNN and UperNet from
        ``backbone`` (None: random init, seeded by ``seed``)."""
        init = ([] if backbone is None else [
            'model.backbone.init_cfg.type=Pretrained',
            f'model.backbone.init_cfg.checkpoint={backbone}',
            'model.backbone.init_cfg.prefix=backbone.'
        ])
        held_out = f'[{self.subjects[-1]}]'
        coco = osp.join(self.data_root, 'coco')
        encoding = [
            f'{split}_dataloader.dataset.{key}={value}'
            for split in ('train', 'test')
            for key, value in (('data_root', self.data_root),
                               ('subjects', held_out))
        ]
        data = dict(
            mask_rcnn=[
                f'train_dataloader.dataset.data_root={coco}/',
                f'test_dataloader.dataset.data_root={coco}/',
                f'test_evaluator.ann_file={coco}/annotations/'
                'instances_val2017_nonsd.json'
            ],
            upernet=[
                f'{split}_dataloader.dataset.data_root='
                f'{osp.join(self.data_root, "ade20k")}'
                for split in ('train', 'test')
            ])
        results = {}
        out = osp.join(run_dir, 'encoding.json')
        self.stage(
            f'brain response prediction of subject {self.subjects[-1]}', [
                'tools/analysis_tools/fit_encoding.py',
                self.downstream['encoding'], '--work-dir',
                osp.join(run_dir, 'encoding'), '--out', out, '--out-dir',
                osp.join(run_dir, 'encoding'), '--cfg-options',
                f'randomness.seed={seed}', *encoding, *init
            ], out)
        results['encoding'] = read_json(osp.join(ROOT, out))
        for task in ('mask_rcnn', 'upernet'):
            task_dir = osp.join(run_dir, task)
            options = data[task] + init + [f'randomness.seed={seed}']
            checkpoint = self.train(f'fine-tune {task} (seed {seed})',
                                    self.downstream[task], task_dir, options)
            out = osp.join(task_dir, 'test_metrics.json')
            self.stage(f'test {task}', [
                'tools/test.py', self.downstream[task], checkpoint,
                '--work-dir', task_dir, '--out', out, '--cfg-options',
                *options
            ], out)
            results[task] = read_json(osp.join(ROOT, out))
        return results

    def run(self, arm: str, config: Optional[str], seed: int) -> dict:
        """The five figures of one arm and seed (see ``METRICS``)."""
        run_dir = osp.join(self.work_dir, f'seed{seed}', arm)
        backbone, retrieval = None, None
        if config is not None:
            backbone, retrieval = self.pretrain(config, seed, run_dir)
        results = self.evaluate(seed, run_dir, backbone)
        det = headline_metrics(results['mask_rcnn'])
        seg = headline_metrics(results['upernet'])
        return dict(
            # a detector with no detections has no COCO keys: AP 0
            APbox=round(det.get('APbox', 0.), 2),
            APsegm=round(det.get('APsegm', 0.), 2),
            mIoU=round(seg['mIoU'], 2),
            retrieval_top5=(None if retrieval is None else round(
                retrieval['retrieval/i2b_top5'], 2)),
            mean_r=round(results['encoding']['pcc/mean_r'], 4),
            # which content of the held-out brain the backbone carries
            roi_median_r={
                key.split('/')[-1]: round(value, 4)
                for key, value in results['encoding'].items()
                if key.startswith('pcc/median_r/')
            })


def applicable(cfg: Config, options: Sequence[str]) -> List[str]:
    """The ``KEY=VALUE`` options whose parent keys exist in ``cfg``; one
    under a part the config leaves out (e.g. the guidance loss's negatives
    without a guidance loss) is dropped with a message."""
    kept = []
    for option in options:
        parts = option.partition('=')[0].split('.')
        node = cfg.to_dict()
        for part in parts[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            print(f'{option}: dropped, {".".join(parts[:-1])} is not set in '
                  f'{osp.basename(cfg.filename)}')
        else:
            kept.append(option)
    return kept


def check_options(work_dir: str, options: List[str]):
    """Record the pretraining options of ``work_dir``'s runs, and refuse
    to resume them with others (their stages would be skipped as done)."""
    path = osp.join(ROOT, work_dir, 'pretrain_options.json')
    if osp.exists(path):
        before = read_json(path)
    elif glob.glob(osp.join(ROOT, work_dir, 'seed*')):
        before = []  # runs from before the options were recorded
    else:
        before = options
    if before != options:
        raise SystemExit(
            f'{work_dir} holds runs pretrained with {before}, not '
            f'{options} (--recipe, --pretrain-epochs); use another '
            '--work-dir')
    with open(path, 'w') as f:
        json.dump(options, f)


def summarise(runs: Dict[str, Dict[int, dict]]) -> Dict[str, dict]:
    """Per arm and metric: mean, std over seeds (ddof 1; 0 for one seed)
    and the per-seed values."""
    summary = {}
    for arm, seeds in runs.items():
        summary[arm] = {}
        for metric in METRICS:
            values = [
                r[metric] for r in seeds.values() if r[metric] is not None
            ]
            if values:
                summary[arm][metric] = dict(
                    mean=statistics.mean(values),
                    std=statistics.stdev(values) if len(values) > 1 else 0.,
                    values=values)
    return summary


def verdict(summary: Dict[str, dict], arm: str,
            controls: List[str]) -> Dict[str, bool]:
    """Per transfer metric: does ``arm`` beat every control by more than
    the larger std of the two arms compared?"""
    out = {}
    for metric in TRANSFER:
        ours = summary[arm][metric]
        out[metric] = all(ours['mean'] - summary[c][metric]['mean'] > max(
            ours['std'], summary[c][metric]['std']) for c in controls)
    return out


def _arm_width(arms) -> int:
    return max(13, max(map(len, arms)) + 2)


def roi_table(runs: Dict[str, Dict[int, dict]]) -> str:
    """Median r per ROI of the held-out subject, mean over seeds."""
    first = next(iter(next(iter(runs.values())).values()))
    rois = list(first['roi_median_r'])
    width = _arm_width(runs)
    lines = [f'{"arm":<{width}}' + ''.join(f'{r[:14]:>15}' for r in rois)]
    for arm, seeds in runs.items():
        means = [
            statistics.mean(run['roi_median_r'][roi] for run in seeds.values())
            for roi in rois
        ]
        lines.append(f'{arm:<{width}}' +
                     ''.join(f'{m:>15.3f}' for m in means))
    return '\n'.join(lines)


def format_table(summary: Dict[str, dict]) -> str:
    cell = {'mean_r': '{mean:.3f} ± {std:.3f}'}
    width = _arm_width(summary)
    lines = [f'{"arm":<{width}}' + ''.join(f'{m:>17}' for m in METRICS)]
    for arm, metrics in summary.items():
        lines.append(f'{arm:<{width}}' + ''.join(
            f'{cell.get(m, "{mean:.1f} ± {std:.1f}").format(**metrics[m]):>17}'
            if m in metrics else f'{"-":>17}' for m in METRICS))
    return '\n'.join(lines)


def ablation_table(summary: Dict[str, dict]) -> str:
    """Table 3's shape: box AP, mask AP, mIoU and held-out mean r per arm
    (mean ± std), with the paper's ConvNeXt-S row where it has one (its
    PCC is the Algonauts score, not our mean r: compare directions)."""
    cols = ('APbox', 'APsegm', 'mIoU', 'mean_r')
    width = _arm_width(summary)
    lines = [f'{"arm":<{width}}' + ''.join(f'{c:>16}' for c in cols) +
             '   paper: box / mask / mIoU / PCC']
    for arm, metrics in summary.items():
        cells = [
            ('{mean:.3f} ± {std:.3f}' if c == 'mean_r' else
             '{mean:.1f} ± {std:.1f}').format(**metrics[c])
            if c in metrics else '-' for c in cols
        ]
        paper = PAPER_ROWS.get(arm)
        lines.append(f'{arm:<{width}}' + ''.join(f'{c:>16}' for c in cells) +
                     ('   ' + ' / '.join(f'{v:g}' for v in paper)
                      if paper else '   -'))
    return '\n'.join(lines)


def parse_arms(specs: List[str]) -> Dict[str, Optional[str]]:
    arms = {}
    for spec in specs:
        name, _, config = spec.partition('=')
        if not config and name != 'random':
            raise SystemExit(f'arm {spec!r}: expected NAME=CONFIG or random')
        if config and not osp.exists(osp.join(ROOT, config)):
            raise SystemExit(f'arm {name}: no config {config}')
        arms[name] = config or None
    return arms


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--arms', nargs='+', help='NAME=CONFIG or random '
                        '(default: the demo arms, or the demo ablations '
                        'with --ablations)')
    parser.add_argument('--ablations', action='store_true',
                        help="Table 3's arms and a table shaped as it")
    parser.add_argument('--data-root', default='data/demo_nsd')
    parser.add_argument('--subjects',
                        type=int,
                        nargs='+',
                        default=[1, 2, 3],
                        help='pretraining subjects, then the held-out one')
    for task, config in DEMO_DOWNSTREAM.items():
        parser.add_argument(f'--{task.replace("_", "-")}', default=config)
    parser.add_argument('--recommended',
                        default='recommended',
                        help='the arm judged against the others')
    parser.add_argument('--recipe',
                        choices=('recommended', 'paper'),
                        default='recommended',
                        help='paper: every pretrained arm gets the paper '
                        "recipe's head (global pooling for p̄, the other "
                        "ROIs as guidance negatives), as *_paper.py")
    parser.add_argument('--pretrain-epochs',
                        type=int,
                        help="pretraining epochs of every arm (default: "
                        "the config's)")
    parser.add_argument('--work-dir', default='work_dirs/transfer_study')
    args = parser.parse_args()
    pretrain_options = list(PAPER_RECIPE if args.recipe == 'paper' else ())
    if args.pretrain_epochs is not None:
        pretrain_options += [
            f'train_cfg.max_epochs={args.pretrain_epochs}',
            f'train_cfg.val_interval={args.pretrain_epochs}'
        ]
    arms = parse_arms(args.arms or list(
        DEMO_ABLATION_ARMS if args.ablations else DEMO_ARMS))
    os.makedirs(osp.join(ROOT, args.work_dir), exist_ok=True)
    check_options(args.work_dir, pretrain_options)
    study = Study(args.work_dir, args.data_root, args.subjects,
                  {task: getattr(args, task)
                   for task in DEMO_DOWNSTREAM}, pretrain_options)
    start = time.time()
    runs = {arm: {} for arm in arms}
    progress = StageProgress(len(args.seeds) * len(arms))
    for seed in args.seeds:
        for arm, config in arms.items():
            runs[arm][seed] = study.run(arm, config, seed)
            progress.update()
    summary = summarise(runs)
    controls = [a for a in arms if a != args.recommended]
    result = dict(
        seeds=args.seeds,
        arms=arms,
        data_root=args.data_root,
        downstream={task: getattr(args, task)
                    for task in DEMO_DOWNSTREAM},
        recipe=args.recipe,
        pretrain_options=pretrain_options,
        runs=runs,
        summary=summary,
        seconds_run=round(study.seconds, 1),
        seconds=round(time.time() - start, 1))
    if args.recommended in arms and controls:
        result['verdict'] = dict(arm=args.recommended,
                                 controls=controls,
                                 beats_all_by_more_than_std=verdict(
                                     summary, args.recommended, controls))
    out = osp.join(args.work_dir, 'study.json')
    with open(osp.join(ROOT, out), 'w') as f:
        json.dump(result, f, indent=2)
    plot = plot_study(summary, osp.join(ROOT, args.work_dir, 'study.png'))
    print(f'\n=== transfer study: {len(args.seeds)} seed(s) {args.seeds}, '
          f'mean ± std over seeds; {args.recipe} recipe'
          + (f', pretraining {args.pretrain_epochs} epochs'
             if args.pretrain_epochs is not None else ''))
    print('APbox/APsegm: Mask R-CNN, demo COCO val without NSD; mIoU: '
          'UperNet, demo ADE20K val; retrieval_top5: image->brain, held-out '
          f'images (percent); mean_r: held-out subject {args.subjects[-1]}')
    print(format_table(summary))
    print(f'\nmedian r per ROI of held-out subject {args.subjects[-1]}, mean '
          'over seeds:')
    print(roi_table(runs))
    if args.ablations:
        print(f'\nTable 3 on these data ({len(args.seeds)} seed(s)):')
        print(ablation_table(summary))
    if 'verdict' in result and not args.ablations:
        for metric, ok in result['verdict'][
                'beats_all_by_more_than_std'].items():
            print(f'{args.recommended} beats {", ".join(controls)} on '
                  f'{metric} by more than the larger std: '
                  f'{"yes" if ok else "no"}')
    print(f'written to {out} and {osp.relpath(plot, ROOT)} '
          f'({result["seconds"] / 60:.1f} min; tool calls run now '
          f'{study.seconds / 60:.1f} min)')


if __name__ == '__main__':
    main()
