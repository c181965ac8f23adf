"""The transfer study: every arm and seed as tool calls, in
``<work_dir>/seed<S>/<arm>``, a stage skipped once its result exists and
reads back valid."""
import glob
import os
import os.path as osp
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from typing import Dict, List, Optional, Sequence

from mmengine.config import Config

from mmbrain.evaluation import headline_metrics
from mmbrain.utils import UserError, last_checkpoint, read_json, write_json
from mmbrain.visualization import plot_loss_curves
from .arms import PAPER_RECIPE, REPO_ROOT, applicable
from .hypotheses import (ALPHA, COMPARISONS, GATE_ARM, GATE_BASELINE,
                         JUDGED_ENDPOINTS, POSITIVE_CONTROLS, TARGET)
from .plots import plot_comparisons, plot_study
from .stages import (StageProgress, StageRunner, result_problem, run_stage,
                     set_aside)
from .tables import (ablation_table, against, compare, compare_pairs,
                     comparison_table, format_table, gate, gate_table,
                     probe_table, roi_table, summarise, target_met, verdict)

# recorded with a work dir's pretraining options: its runs start from the
# seed's shared starting point (see mmbrain/apis/backbone_init.py)
SHARED_START = 'model.backbone.init_cfg=<the seed\'s starting point>'


def pretrained_from(checkpoint: str) -> List[str]:
    """``--cfg-options`` that load the backbone from an exported
    ``checkpoint``."""
    return [
        'model.backbone.init_cfg.type=Pretrained',
        f'model.backbone.init_cfg.checkpoint={checkpoint}',
        'model.backbone.init_cfg.prefix=backbone.'
    ]


class Study:
    """The tool calls of one arm and seed, in ``<work_dir>/seed<S>/<arm>``.

    Args:
        data_root (str): The demo-layout root (NSD, ``coco/``, ``ade20k/``).
        subjects (list[int]): Pretraining subjects, then the held-out one.
        downstream (dict): ``encoding``, ``mask_rcnn``, ``upernet`` configs.
        pretrain_options (Sequence[str]): ``--cfg-options`` of every
            pretraining (those a config has no parent key for are dropped).
        root (str): Where the tools and configs are (the repository).
        start_config (str, optional): The config whose backbone, drawn
            under each seed, every arm of that seed starts from
            (:meth:`start`); None: the random arm draws its own.
        jobs (int): Runs (arm and seed) at once, each :meth:`run` in a
            thread of its own; with more than one, each tool call writes its
            output to its run's ``stages.log`` and, run here, gets
            ``cpu_count // jobs`` threads.
        runner (StageRunner): Runs a tool call: :func:`run_stage` here, or
            :class:`~.slurm.SlurmStages` as a slurm job (whose threads are
            its own).
    """

    def __init__(self,
                 work_dir: str,
                 data_root: str,
                 subjects: List[int],
                 downstream: Dict[str, str],
                 pretrain_options: Sequence[str] = (),
                 root: str = REPO_ROOT,
                 start_config: Optional[str] = None,
                 jobs: int = 1,
                 runner: StageRunner = run_stage):
        self.root = root
        self.runner = runner
        self.start_config = start_config
        self.work_dir = work_dir
        self.data_root = data_root
        self.subjects = subjects
        self.downstream = downstream
        self.pretrain_options = pretrain_options
        self.python = sys.executable
        self.seconds = 0.
        self.jobs = jobs
        self.threads = (None if jobs == 1 or runner is not run_stage else
                        max(1, (os.cpu_count() or 1) // jobs))
        # the log and label of the run a thread is in (jobs > 1)
        self.current = threading.local()
        self.lock = threading.Lock()

    def stage(self, title: str, args: List[str], result: str) -> str:
        """Run ``args`` unless ``result`` (a path) exists and reads back
        valid (a damaged one is set aside first); returns it."""
        title = getattr(self.current, 'label', '') + title
        path = osp.join(self.root, result)
        problem = osp.exists(path) and result_problem(path)
        if problem:
            set_aside(path, problem)
        if osp.exists(path):
            print(f'\n=== {title}: {result} exists, skipped', flush=True)
        else:
            seconds = self.runner(title, [self.python] + args, self.root,
                                  getattr(self.current, 'log', None),
                                  self.threads)
            with self.lock:
                self.seconds += seconds
        return result

    def train(self, title: str, config: str, work_dir: str,
              options: List[str]) -> str:
        """Train ``config`` in ``work_dir`` unless it finished, logging to
        TensorBoard too; a killed training resumes from its last
        checkpoint. Returns the final checkpoint."""
        finished = osp.join(work_dir, 'finished')
        self.stage(title, [
            'tools/train.py', config, '--work-dir', work_dir, '--resume',
            '--tensorboard', '--cfg-options', *options
        ], finished)
        # marks a run that ended
        open(osp.join(self.root, finished), 'a').close()
        return last_checkpoint(osp.join(self.root, work_dir))

    def start(self, seed: int) -> Optional[str]:
        """The backbone every arm of ``seed`` starts from, written once per
        seed; None without ``start_config``."""
        if self.start_config is None:
            return None
        out = osp.join(self.work_dir, f'seed{seed}', 'start_backbone.pth')
        os.makedirs(osp.dirname(osp.join(self.root, out)), exist_ok=True)
        return self.stage(f'the starting backbone of seed {seed}', [
            'tools/model_converters/init_backbone.py', self.start_config, out,
            '--seed', str(seed)
        ], out)

    def pretrain(self, config: str, seed: int, run_dir: str,
                 start: Optional[str] = None, test: bool = True):
        """Pretrain (from the backbone ``start`` when given), export, and
        with ``test`` test on the held-out images; returns (backbone, test
        metrics: retrieval, how well a regression arm predicts its targets,
        or none for a config without a test, as an image-only
        self-supervised one)."""
        cfg = Config.fromfile(osp.join(self.root, config))
        # the splits it has (an image-only self-supervised config only
        # trains)
        splits = [s for s in ('train', 'val', 'test')
                  if cfg.get(f'{s}_dataloader') is not None]
        # the config's own subjects where the study has them (1-subject
        # ablations), else the study's pretraining subjects
        own = cfg.train_dataloader.dataset.subjects
        train_subjects = str([s for s in own if s in self.subjects[:-1]]
                             or self.subjects[:-1]).replace(' ', '')
        data = [
            f'{split}_dataloader.dataset.{key}={value}' for split in splits
            for key, value in (('data_root', self.data_root),
                               ('subjects', train_subjects))
        ] + applicable(cfg, self.pretrain_options)
        for part in ('brain_encoder', 'head'):  # a map per subject
            if (cfg.model.get(part) or {}).get('subjects') is not None:
                data.append(f'model.{part}.subjects={train_subjects}')
        options = data + [f'randomness.seed={seed}']
        if start is not None:
            options += pretrained_from(start)
        if cfg.train_dataloader.dataset.get('shuffle_responses') is not None:
            options.append(
                f'train_dataloader.dataset.shuffle_responses={seed}')
        pretrain_dir = osp.join(run_dir, 'pretrain')
        checkpoint = self.train(f'pretrain {config} (seed {seed})', config,
                                pretrain_dir, options)
        curves = osp.join(self.root, pretrain_dir, 'loss_curves.png')
        if not osp.exists(curves):
            plot_loss_curves(osp.join(self.root, pretrain_dir), curves,
                             title=f'{config} (seed {seed})')
        backbone = self.stage('export the backbone', [
            'tools/model_converters/export_backbone.py', checkpoint,
            osp.join(run_dir, 'backbone.pth')
        ], osp.join(run_dir, 'backbone.pth'))
        if not test or cfg.get('test_dataloader') is None:
            return backbone, {}
        # a brain- or caption-aligned model retrieves; a regression one
        # predicts
        paired = ('brain' if 'brain_encoder' in cfg.model else
                  'caption' if 'text_encoder' in cfg.model else None)
        title, name = ((f'image <-> {paired} retrieval, held-out images',
                        'retrieval.json') if paired else
                       ('its targets predicted, held-out images', 'fit.json'))
        out = self.stage(title, [
            'tools/test.py', config, checkpoint, '--work-dir', pretrain_dir,
            '--out',
            osp.join(run_dir, name), '--cfg-options', *data
        ], osp.join(run_dir, name))
        return backbone, read_json(osp.join(self.root, out))

    def evaluate(self, seed: int, run_dir: str,
                 backbone: Optional[str]) -> Dict[str, dict]:
        """Held-out brain prediction, the probes (with the readout's
        backbone config), Mask R-CNN and UperNet from ``backbone`` (None:
        random init, seeded by ``seed``)."""
        init = [] if backbone is None else pretrained_from(backbone)
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
        results['encoding'] = read_json(osp.join(self.root, out))
        out = osp.join(run_dir, 'probes.json')
        self.stage('frozen-feature probes on fresh scenes', [
            'projects/transfer_study/tools/probe_backbone.py',
            self.downstream['encoding'], '--out', out, '--seed',
            str(seed)
        ] + ([] if backbone is None else ['--checkpoint', backbone]), out)
        results['probes'] = read_json(osp.join(self.root, out))
        for task in ('mask_rcnn', 'upernet'):
            task_dir = osp.join(run_dir, task)
            options = data[task] + init + [f'randomness.seed={seed}']
            checkpoint = self.train(
                f'train {task} on the backbone (seed {seed})',
                self.downstream[task], task_dir, options)
            out = osp.join(task_dir, 'test_metrics.json')
            self.stage(f'test {task}', [
                'tools/test.py', self.downstream[task], checkpoint,
                '--work-dir', task_dir, '--out', out, '--cfg-options',
                *options
            ], out)
            results[task] = read_json(osp.join(self.root, out))
        return results

    def run(self, arm: str, config: Optional[str], seed: int) -> dict:
        """The :data:`~.hypotheses.ENDPOINTS` of one arm and seed,
        the held-out subject's median r per ROI group and the probes. Every arm starts
        from the seed's :meth:`start`: ``random`` is fine-tuned from it."""
        run_dir = osp.join(self.work_dir, f'seed{seed}', arm)
        if self.jobs > 1:
            os.makedirs(osp.join(self.root, run_dir), exist_ok=True)
            self.current.log = osp.join(self.root, run_dir, 'stages.log')
            self.current.label = f'seed{seed}/{arm}: '
        backbone, tested = self.start(seed), {}
        if config is not None:
            backbone, tested = self.pretrain(config, seed, run_dir, backbone)
        retrieval = tested.get('retrieval/i2b_top5')
        results = self.evaluate(seed, run_dir, backbone)
        det = headline_metrics(results['mask_rcnn'])
        seg = headline_metrics(results['upernet'])
        return dict(  # the ENDPOINTS, then the per-ROI probe
            # a detector with no detections has no COCO keys: AP 0
            APbox=round(det.get('APbox', 0.), 2),
            APsegm=round(det.get('APsegm', 0.), 2),
            mIoU=round(seg['mIoU'], 2),
            retrieval_top5=(None if retrieval is None else round(
                retrieval, 2)),
            mean_r=round(results['encoding']['pcc/mean_r'], 4),
            # a regression arm's fit to its own targets, held-out images
            target_r=(round(tested['pcc/mean_r'], 4)
                      if 'pcc/mean_r' in tested else None),
            # which content of the held-out brain the backbone carries
            roi_median_r={
                key.split('/')[-1]: round(value, 4)
                for key, value in results['encoding'].items()
                if key.startswith('pcc/median_r/')
            },
            probes=results['probes'])


def check_options(work_dir: str,
                  options: List[str],
                  root: str = REPO_ROOT):
    """Record the pretraining options of ``work_dir``'s runs, and refuse
    to resume them with others (their stages would be skipped as done)."""
    path = osp.join(root, work_dir, 'pretrain_options.json')
    if osp.exists(path):
        before = read_json(path)
    elif glob.glob(osp.join(root, work_dir, 'seed*')):
        before = []  # runs from before the options were recorded
    else:
        before = options
    if before != options:
        raise UserError(
            f'{work_dir} holds runs pretrained with {before}, not '
            f'{options} (--recipe, --pretrain-epochs, the shared starting '
            'point); use another --work-dir')
    write_json(path, options, indent=None)


def data_made(data_root: str, root: str = REPO_ROOT) -> Optional[dict]:
    """What generated ``data_root``: a demo's spec, generator version and
    subjects (from its ``demo_summary.json``); None for other data."""
    summary = osp.join(root, data_root, 'demo_summary.json')
    if not osp.exists(summary):
        return None
    return {k: read_json(summary).get(k)
            for k in ('spec', 'generator', 'subjects')}


def runs_of_other_data(work_dir: str, data_root: str,
                       root: str = REPO_ROOT) -> bool:
    """Whether ``work_dir`` holds runs on other data than ``data_root``
    has now (regenerated since they ran)."""
    made, path = data_made(data_root, root), osp.join(root, work_dir,
                                                      'data.json')
    return made is not None and osp.exists(path) and read_json(path) != made


def check_data(work_dir: str, data_root: str, root: str = REPO_ROOT):
    """Record what generated ``data_root`` (:func:`data_made`) for
    ``work_dir``'s runs, and refuse to resume them on other data (their
    stages would be skipped as done, their numbers those of the old data).
    Data without a demo summary pass."""
    if runs_of_other_data(work_dir, data_root, root):
        raise UserError(
            f'{work_dir} holds runs on other data than {data_root} now has '
            '(regenerated since); use another --work-dir, or move this one '
            'away to rerun')
    made = data_made(data_root, root)
    if made is not None:
        write_json(osp.join(root, work_dir, 'data.json'), made, indent=1)


def pretrain_options(recipe: str = 'recommended',
                     epochs: Optional[int] = None) -> List[str]:
    """The ``--cfg-options`` of every pretraining: the paper's head for
    ``recipe='paper'``, and ``epochs`` (one cosine over them)."""
    options = list(PAPER_RECIPE if recipe == 'paper' else ())
    if epochs is not None:
        options += [
            f'train_cfg.max_epochs={epochs}', f'train_cfg.val_interval={epochs}'
        ]
    return options


def run_study(arms: Dict[str, Optional[str]],
              seeds: Sequence[int],
              data_root: str,
              subjects: List[int],
              downstream: Dict[str, str],
              work_dir: str,
              judged: str = 'recommended',
              recipe: str = 'recommended',
              pretrain_epochs: Optional[int] = None,
              root: str = REPO_ROOT,
              jobs: int = 1,
              runner: StageRunner = run_stage) -> dict:
    """Every arm over every seed, ``jobs`` runs at once, each tool call
    through ``runner`` (see :class:`Study`); writes and returns
    ``study.json``'s content: the runs, their summary and, with ``judged``
    among the arms and two seeds or more, its paired comparisons with every
    other arm and the verdict they give."""
    options = pretrain_options(recipe, pretrain_epochs)
    os.makedirs(osp.join(root, work_dir), exist_ok=True)
    # the judged arm's config, else the first pretrained one, gives the
    # backbone every arm starts from
    configs = [arms[judged]] if arms.get(judged) else []
    configs += [c for c in arms.values() if c]
    start_config = configs[0] if configs else None
    check_options(work_dir,
                  options + ([SHARED_START] if start_config else []), root)
    check_data(work_dir, data_root, root)
    study = Study(work_dir, data_root, subjects, downstream, options, root,
                  start_config, jobs, runner)
    start = time.time()
    for seed in seeds:  # before the runs that share it
        study.start(seed)
    done, running = {}, {}
    waiting = [(arm, seed) for seed in seeds for arm in arms]
    progress = StageProgress(len(waiting))
    with ThreadPoolExecutor(jobs) as pool:
        # a run begins only once one has succeeded: after a failure, those
        # under way end and no other begins
        while waiting or running:
            while waiting and len(running) < jobs:
                arm, seed = waiting.pop(0)
                running[pool.submit(study.run, arm, arms[arm],
                                    seed)] = (arm, seed)
            ended, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in ended:
                done[running.pop(future)] = future.result()
                progress.update()
    runs = {arm: {seed: done[arm, seed] for seed in seeds} for arm in arms}
    result = dict(
        seeds=list(seeds),
        arms=arms,
        data_root=data_root,
        subjects=subjects,
        downstream=downstream,
        recipe=recipe,
        pretrain_options=options,
        start_config=start_config,
        runs=runs,
        summary=summarise(runs),
        seconds_run=round(study.seconds, 1),
        seconds=round(time.time() - start, 1),
        jobs=jobs)
    # the endpoints the oracle moves; without an oracle arm, all of them
    result['gate'] = gate(runs)
    endpoints = ([m for m, g in result['gate'].items() if g['passed']]
                 if result['gate'] else list(JUDGED_ENDPOINTS))
    if GATE_BASELINE in arms:
        result['against_start'] = against(runs, GATE_BASELINE)
    pairs = [(a, b) for a, b in COMPARISONS if a in arms and b in arms]
    controls = [a for a in arms if a not in (judged, ) + POSITIVE_CONTROLS]
    if pairs:  # the pre-registered comparisons
        comparisons = compare_pairs(runs, pairs, endpoints)
        result['comparisons'] = comparisons
        result['verdict'] = dict(pairs=pairs, endpoints=endpoints,
                                 target=target_met(comparisons))
    elif judged in arms and controls:
        comparisons = compare(runs, judged, controls, endpoints)
        result['comparisons'] = comparisons
        result['verdict'] = dict(arm=judged, controls=controls,
                                 endpoints=endpoints,
                                 better_than_all=verdict(comparisons))
    write_json(osp.join(root, work_dir, 'study.json'), result)
    plot_study(result['summary'], osp.join(root, work_dir, 'study.png'))
    if result.get('comparisons'):
        plot_comparisons(result['comparisons'],
                         osp.join(root, work_dir, 'comparisons.png'), ALPHA)
    return result


def report(result: dict, ablations: bool = False) -> str:
    """The study's tables and verdict, as printed."""
    seeds, held_out = result['seeds'], result['subjects'][-1]
    epochs = [o for o in result['pretrain_options'] if 'max_epochs' in o]
    lines = [
        f'=== transfer study: {len(seeds)} seed(s) {seeds}, mean ± std over '
        f'seeds; {result["recipe"]} recipe' +
        (f', pretraining {epochs[0].split("=")[1]} epochs' if epochs else ''),
        'APbox/APsegm: Mask R-CNN, demo COCO val without NSD; mIoU: '
        'UperNet, demo ADE20K val; retrieval_top5: image->brain (captions: '
        'image->caption), held-out images (percent); mean_r: held-out '
        f'subject {held_out}',
        format_table(result['summary']), '',
        f'median r per ROI of held-out subject {held_out}, mean over seeds:',
        roi_table(result['runs']), '',
        'frozen-feature probes on fresh scenes (percent), mean over seeds:',
        probe_table(result['runs'])
    ]
    if ablations:
        lines += ['', f'Table 3 on these data ({len(seeds)} seed(s)):',
                  ablation_table(result['summary'])]
    if result.get('gate'):
        lines += [
            '', f'validity gate: an endpoint counts where {GATE_ARM} beats '
            f'{GATE_BASELINE} (the shared starting point) by the margin, '
            'mean over seeds (and the 95% interval above 0 from 2 seeds):',
            gate_table(result['gate'])
        ]
    else:
        lines += ['', f'no validity gate: it needs the {GATE_ARM} and '
                  f'{GATE_BASELINE} arms; every endpoint is judged']
    if result.get('against_start'):
        lines += [
            '', f'every arm minus {GATE_BASELINE}, paired by seed (Holm over '
            'all rows):', comparison_table(result['against_start'])
        ]
    if 'verdict' in result and 'pairs' in result['verdict']:
        lines += comparison_report(result)
    elif 'verdict' in result:
        judged = result['verdict']['arm']
        if result['comparisons']:
            lines += [
                '', f'{judged} against each other arm, paired by seed (mean '
                'difference, its 95% t interval, paired t-test p, Holm-'
                'corrected over all rows; MDE: the smallest difference '
                'these seeds detect with 80% power):',
                comparison_table(result['comparisons'])
            ]
            lines += [
                f'{judged} better than {", ".join(result["verdict"]["controls"])}'
                f' on {metric} (Holm p < 0.05): {"yes" if ok else "no"}'
                for metric, ok in result['verdict']['better_than_all'].items()
            ]
        elif not result['verdict']['endpoints']:
            lines.append(f'\nno endpoint passes the gate: no verdict on '
                         f'{judged}')
        else:
            lines.append(f'\none seed: no paired comparison of {judged}')
    return '\n'.join(lines)


def comparison_report(result: dict) -> List[str]:
    """The pre-registered comparisons' lines of :func:`report`."""
    endpoints = result['verdict']['endpoints']
    if not endpoints:
        return ['', 'no endpoint passes the gate: no comparison is judged']
    if not result['comparisons']:
        return ['', 'one seed: no paired comparison']
    target = ', '.join(f'{a} > {b}' for a, b in TARGET)
    return [
        '', 'the pre-registered comparisons on the gated endpoints, paired '
        'by seed (mean difference, its 95% t interval, paired t-test p, '
        'Holm-corrected over all rows; MDE: the smallest difference these '
        'seeds detect with 80% power):',
        comparison_table(result['comparisons'])
    ] + [
        f'target ({target}, Holm p < 0.05) on {metric}: '
        f'{"met" if ok else "not met"}'
        for metric, ok in result['verdict']['target'].items()
    ]
