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

from mmbrain.datasets.nsd import layout
from mmbrain.evaluation import headline_metrics
from mmbrain.utils import UserError, last_checkpoint, read_json, write_json
from mmbrain.visualization import plot_loss_curves
from .arms import PAPER_RECIPE, REPO_ROOT, applicable
from .hypotheses import (ALPHA, COMPARISONS, FROZEN_ENDPOINTS, GATE_ARM,
                         GATE_BASELINE, H3_COMPARISONS, H3_ENDPOINTS,
                         JUDGED_ENDPOINTS, POSITIVE_CONTROLS, SECOND_CONTROL,
                         TARGET)
from .plots import plot_comparisons, plot_study
from .stages import (StageProgress, StageRunner, result_problem, run_stage,
                     set_aside)
from .tables import (ablation_table, against, compare, compare_pairs,
                     comparison_table, endpoint_table, format_table, gate,
                     gate_table,
                     probe_table, roi_table, summarise, target_met, verdict)

# the frozen-backbone endpoints' tools, by the downstream config they read
FROZEN_TOOLS = dict(
    multilabel=('tools/analysis_tools/probe_multilabel.py',
                'COCO multi-label probes, clean, corrupted and attacked'),
    segmentation=('tools/analysis_tools/probe_segmentation.py',
                  'ADE20K linear segmentation probe, clean and corrupted'),
    encoding=('tools/analysis_tools/brain_similarity.py',
              'brain similarity (RSA) with the held-out subject'))

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


def coco_labels_options(cfg: Config, splits: Sequence[str], data_root: str,
                        root: str = REPO_ROOT) -> List[str]:
    """``--cfg-options`` pointing a config's ``LoadCocoLabels`` at the
    stimulus table and COCO annotations of ``data_root``, where it holds
    them in the demo's layout (``coco/annotations``)."""
    annotations = osp.join(data_root, 'coco', 'annotations')
    if not osp.isdir(osp.join(root, annotations)):
        return []
    options = []
    for split in splits:
        pipeline = cfg[f'{split}_dataloader'].dataset.pipeline
        for index, transform in enumerate(pipeline):
            if transform['type'] == 'LoadCocoLabels':
                key = f'{split}_dataloader.dataset.pipeline.{index}'
                files = ','.join(osp.join(annotations, f'instances_{s}.json')
                                 for s in ('train2017', 'val2017'))
                options += [f'{key}.ann_files=[{files}]',
                            f'{key}.stim_info='
                            f'{layout.stim_info_path(data_root)}']
    return options


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
        scene_probes (bool): Also run the probes on freshly generated demo
            scenes (a demo extra; no verdict rests on them).
        finetune (callable, optional): ``finetune(arm, seed)``: whether the
            run fine-tunes Mask R-CNN and UperNet (default: every run).
        roots (dict, optional): ``coco`` and ``ade20k``, the downstream
            datasets' roots (default: ``coco/`` and ``ade20k/`` in
            ``data_root``, the demo's layout).
        downstream_options (dict, optional): Task -> more ``--cfg-options``
            of its downstream config (a rehearsal's tiny schedules).
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
                 runner: StageRunner = run_stage,
                 scene_probes: bool = False,
                 finetune=None,
                 roots: Optional[Dict[str, str]] = None,
                 downstream_options: Optional[Dict[str, List[str]]] = None):
        self.root = root
        roots = roots or {}
        self.coco_root = roots.get('coco') or osp.join(data_root, 'coco')
        self.ade20k_root = (roots.get('ade20k')
                            or osp.join(data_root, 'ade20k'))
        self.downstream_options = downstream_options or {}
        self.scene_probes = scene_probes
        self.finetune = finetune or (lambda arm, seed: True)
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
        data += coco_labels_options(cfg, splits, self.data_root, self.root)
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

    def evaluate(self, seed: int, run_dir: str, backbone: Optional[str],
                 finetune: bool = True) -> Dict[str, dict]:
        """Held-out brain prediction and similarity, the frozen probes,
        the scene probes where asked for and, with ``finetune``, Mask R-CNN
        and UperNet from ``backbone`` (None: random init, seeded by
        ``seed``)."""
        init = [] if backbone is None else pretrained_from(backbone)
        checkpoint = [] if backbone is None else ['--checkpoint', backbone]
        held_out = f'[{self.subjects[-1]}]'
        coco, ade20k = self.coco_root, self.ade20k_root
        encoding = [
            f'{split}_dataloader.dataset.{key}={value}'
            for split in ('train', 'test')
            for key, value in (('data_root', self.data_root),
                               ('subjects', held_out))
        ]
        data = dict(
            encoding=encoding,
            multilabel=[f'{split}_dataloader.dataset.data_root={coco}/'
                        for split in ('train', 'test')],
            segmentation=[f'{split}_dataloader.dataset.data_root={ade20k}'
                          for split in ('train', 'test')],
            mask_rcnn=[
                f'train_dataloader.dataset.data_root={coco}/',
                f'test_dataloader.dataset.data_root={coco}/',
                f'test_evaluator.ann_file={coco}/annotations/'
                'instances_val2017_nonsd.json'
            ],
            upernet=[f'{split}_dataloader.dataset.data_root={ade20k}'
                     for split in ('train', 'test')])
        for task, options in self.downstream_options.items():
            data[task] = data[task] + list(options)
        results = {}
        out = osp.join(run_dir, 'encoding.json')
        self.stage(
            f'brain response prediction of subject {self.subjects[-1]}', [
                'tools/analysis_tools/fit_encoding.py',
                self.downstream['encoding'], '--work-dir',
                osp.join(run_dir, 'encoding'), '--out', out, '--out-dir',
                osp.join(run_dir, 'encoding'), '--cfg-options',
                f'randomness.seed={seed}', *data['encoding'], *init
            ], out)
        results['encoding'] = read_json(osp.join(self.root, out))
        for task, (tool, title) in FROZEN_TOOLS.items():
            name = 'similarity' if task == 'encoding' else task
            out = osp.join(run_dir, f'{name}.json')
            self.stage(title, [
                tool, self.downstream[task], '--out', out, *checkpoint,
                '--work-dir', osp.join(run_dir, name), '--cfg-options',
                f'randomness.seed={seed}', *data[task]
            ], out)
            results[name] = read_json(osp.join(self.root, out))
        if self.scene_probes:
            out = osp.join(run_dir, 'probes.json')
            self.stage('frozen-feature probes on fresh scenes', [
                'projects/transfer_study/tools/probe_backbone.py',
                self.downstream['encoding'], '--out', out, '--seed',
                str(seed)
            ] + checkpoint, out)
            results['probes'] = read_json(osp.join(self.root, out))
        for task in ('mask_rcnn', 'upernet') if finetune else ():
            task_dir = osp.join(run_dir, task)
            options = data[task] + init + [f'randomness.seed={seed}']
            trained = self.train(
                f'train {task} on the backbone (seed {seed})',
                self.downstream[task], task_dir, options)
            out = osp.join(task_dir, 'test_metrics.json')
            self.stage(f'test {task}', [
                'tools/test.py', self.downstream[task], trained,
                '--work-dir', task_dir, '--out', out, '--cfg-options',
                *options
            ], out)
            results[task] = read_json(osp.join(self.root, out))
        return results

    def run(self, arm: str, config: Optional[str], seed: int) -> dict:
        """The :data:`~.hypotheses.ENDPOINTS` and
        :data:`~.hypotheses.FROZEN_ENDPOINTS` of one arm and seed (None
        where not run), the held-out subject's median r per ROI group and,
        with ``scene_probes``, the scene probes. Every arm starts from the
        seed's :meth:`start`: ``random`` is fine-tuned from it."""
        run_dir = osp.join(self.work_dir, f'seed{seed}', arm)
        if self.jobs > 1:
            os.makedirs(osp.join(self.root, run_dir), exist_ok=True)
            self.current.log = osp.join(self.root, run_dir, 'stages.log')
            self.current.label = f'seed{seed}/{arm}: '
        backbone, tested = self.start(seed), {}
        if config is not None:
            backbone, tested = self.pretrain(config, seed, run_dir, backbone)
        retrieval = tested.get('retrieval/i2b_top5')
        results = self.evaluate(seed, run_dir, backbone,
                                self.finetune(arm, seed))
        det = headline_metrics(results.get('mask_rcnn', {}))
        seg = headline_metrics(results.get('upernet', {}))
        frozen = {**results['multilabel'], **results['segmentation'],
                  **results['similarity']}
        finetuned = 'mask_rcnn' in results
        run = dict(  # the ENDPOINTS, the FROZEN_ENDPOINTS, then the rest
            # a detector with no detections has no COCO keys: AP 0
            APbox=round(det.get('APbox', 0.), 2) if finetuned else None,
            APsegm=round(det.get('APsegm', 0.), 2) if finetuned else None,
            mIoU=round(seg['mIoU'], 2) if finetuned else None,
            retrieval_top5=(None if retrieval is None else round(
                retrieval, 2)),
            mean_r=round(results['encoding']['pcc/mean_r'], 4),
            **{m: None if frozen.get(m) is None else round(frozen[m], 4)
               for m in FROZEN_ENDPOINTS},
            # a regression arm's fit to its own targets, held-out images
            target_r=(round(tested['pcc/mean_r'], 4)
                      if 'pcc/mean_r' in tested else None),
            # which content of the held-out brain the backbone carries
            roi_median_r={
                key.split('/')[-1]: round(value, 4)
                for key, value in results['encoding'].items()
                if key.startswith('pcc/median_r/')
            })
        if 'probes' in results:
            run['probes'] = results['probes']
        return run


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
              runner: StageRunner = run_stage,
              scene_probes: bool = False,
              finetune: Optional[Sequence[str]] = None,
              roots: Optional[Dict[str, str]] = None,
              downstream_options: Optional[Dict[str, List[str]]] = None
              ) -> dict:
    """Every arm over every seed, ``jobs`` runs at once, each tool call
    through ``runner`` (see :class:`Study`); writes and returns
    ``study.json``'s content: the runs, their summary, the gate and, with
    two seeds or more, the pre-registered comparisons (H1 and H2 on the
    clean endpoints, H3 on robustness and brain similarity) or, without
    their arms, ``judged``'s paired comparisons with every other arm.
    ``finetune`` names the runs that fine-tune Mask R-CNN and UperNet
    (``ARM`` or ``ARM:SEED``; default: every run); ``roots`` and
    ``downstream_options`` are :class:`Study`'s."""
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
                  start_config, jobs, runner, scene_probes,
                  None if finetune is None else
                  lambda arm, seed: arm in finetune or f'{arm}:{seed}' in
                  finetune, roots, downstream_options)
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
        roots=roots,
        finetune=None if finetune is None else list(finetune),
        recipe=recipe,
        pretrain_options=options,
        start_config=start_config,
        runs=runs,
        summary=summarise(runs),
        seconds_run=round(study.seconds, 1),
        seconds=round(time.time() - start, 1),
        jobs=jobs)
    # the endpoints the positive control moves; without it, all of them
    result['gate'] = gate(runs, JUDGED_ENDPOINTS + H3_ENDPOINTS)
    result['second_control'] = gate(runs, JUDGED_ENDPOINTS + H3_ENDPOINTS,
                                    arm=SECOND_CONTROL)
    gated = ([m for m, g in result['gate'].items() if g['passed']]
             if result['gate'] else None)
    endpoints = [m for m in JUDGED_ENDPOINTS if gated is None or m in gated]
    if GATE_BASELINE in arms:
        result['against_start'] = against(
            runs, GATE_BASELINE, JUDGED_ENDPOINTS + H3_ENDPOINTS)
    pairs = [(a, b) for a, b in COMPARISONS if a in arms and b in arms]
    controls = [a for a in arms if a not in (judged, ) + POSITIVE_CONTROLS]
    h3_pairs = [(a, b) for a, b in H3_COMPARISONS if a in arms and b in arms]
    if h3_pairs:  # H3, its own family of rows
        h3_endpoints = [m for m in H3_ENDPOINTS
                        if gated is None or m in gated]
        h3 = compare_pairs(runs, h3_pairs, h3_endpoints)
        result['h3'] = dict(pairs=h3_pairs, endpoints=h3_endpoints,
                            comparisons=h3,
                            met=target_met(h3, H3_COMPARISONS))
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
    plot_study(result['summary'], osp.join(root, work_dir, 'study.png'),
               gates=result['gate'])
    rows = result.get('comparisons', []) + result.get('h3', {}).get(
        'comparisons', [])
    if rows:
        plot_comparisons(rows, osp.join(root, work_dir, 'comparisons.png'),
                         ALPHA)
    return result


def report(result: dict, ablations: bool = False) -> str:
    """The study's tables and verdicts, as printed."""
    seeds, held_out = result['seeds'], result['subjects'][-1]
    epochs = [o for o in result['pretrain_options'] if 'max_epochs' in o]
    lines = [
        f'=== transfer study: {len(seeds)} seed(s) {seeds}, mean ± std over '
        f'seeds; {result["recipe"]} recipe' +
        (f', pretraining {epochs[0].split("=")[1]} epochs' if epochs else ''),
        'APbox/APsegm: Mask R-CNN, COCO val without NSD; mIoU: UperNet, '
        'ADE20K val ("-": not fine-tuned); retrieval_top5: image->brain '
        '(captions: image->caption), held-out images (percent); mean_r: '
        f'held-out subject {held_out}',
        format_table(result['summary']), '',
        'the frozen backbone (percent; RSA in r): probes on COCO val without '
        'NSD (multilabel) and ADE20K val (segmentation), clean, corrupted '
        '(mPC; rPC = mPC / clean) and under PGD; RSA with held-out subject '
        f'{held_out}, raw and over its split-half noise ceiling',
        endpoint_table(result['summary']), '',
        f'median r per ROI of held-out subject {held_out}, mean over seeds:',
        roi_table(result['runs'])
    ]
    if any('probes' in r for runs in result['runs'].values()
           for r in runs.values()):
        lines += ['', 'demo extra, no verdict rests on it: probes on fresh '
                  'generated scenes (percent), mean over seeds:',
                  probe_table(result['runs'])]
    if ablations:
        lines += ['', f'Table 3 on these data ({len(seeds)} seed(s)):',
                  ablation_table(result['summary'])]
    if result.get('gate'):
        lines += [
            '', f'validity gate: an endpoint counts where {GATE_ARM} (the '
            f'positive control) beats {GATE_BASELINE} (the shared starting '
            'point) by the margin, mean over seeds (and the 95% interval '
            'above 0 from 2 seeds):', gate_table(result['gate'], GATE_ARM)
        ]
        if result.get('second_control'):
            lines += ['', f'the second control, {SECOND_CONTROL}, beside it '
                      '(it gates nothing):',
                      gate_table(result['second_control'], SECOND_CONTROL)]
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
    if 'h3' in result:
        lines += h3_report(result['h3'])
    return '\n'.join(lines)


def h3_report(h3: dict) -> List[str]:
    """H3's lines of :func:`report`."""
    pairs = ', '.join(f'{a} > {b}' for a, b in h3['pairs'])
    if not h3['endpoints']:
        return ['', 'H3: no robustness or similarity endpoint passes the '
                'gate: H3 is not judged']
    if not h3['comparisons']:
        return ['', 'H3: one seed: no paired comparison']
    return [
        '', f'H3, robustness and brain similarity ({pairs}), on the gated '
        'endpoints, paired by seed (Holm over these rows; a null is "not '
        'shown at this power", the MDE its size):',
        comparison_table(h3['comparisons'])
    ] + [f'H3 on {metric}: {"met" if ok else "not met"}'
         for metric, ok in h3['met'].items()]


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
