"""Does the brain signal make the backbone better downstream? Arms over seeds.

Each arm is a pretraining config (or ``random``: no pretraining). For every
seed and arm this tool pretrains (``randomness.seed``; a config that shuffles
the responses gets the seed as its permutation too), exports the backbone,
measures retrieval (image->brain or image->caption) on the held-out images
where the arm has it, fits the ridge readout of the held-out subject, runs
the frozen-feature probes, and fine-tunes and tests Mask R-CNN and UperNet
with the same seed. Every stage is a tool call, echoed before it
runs; a stage whose result exists is skipped (a training once its work dir
holds ``finished``), so a killed study resumes, a killed training from its
last checkpoint.
Prints mean ± std (over seeds, ddof 1) per arm and metric and, with two
seeds or more, the pre-registered comparisons (``COMPARISONS`` in
``transfer_study/hypotheses.py``: recommended - shuffled, ssl+brain -
ssl+shuffled, ssl+brain - ssl, recommended - captions) on the endpoints the
validity gate passes, paired by seed: the mean difference, its 95%
interval, the paired t-test's p with Holm's correction over all those rows,
and the minimum detectable effect. Without those arms (``--ablations``),
the judged arm (``--recommended``) is compared with every other arm. It writes
``<work-dir>/study.json`` and its plot ``study.png`` (a panel per metric,
a bar per arm, the std over seeds as error bars); in ``seed<S>/<arm>``
every pretrained run also leaves ``pretrain/loss_curves.png``, and every
run the brain map of its readout under ``encoding/`` (``brain_map.png``;
``roi_r.png`` for Algonauts data). Example (the study's eight demo arms,
five seeds, two runs at once)::

    python projects/transfer_study/tools/transfer_study.py --seeds 0 1 2 3 4 \\
        --jobs 2 --work-dir work_dirs/transfer_study

Arms are ``NAME=CONFIG`` (``--arms random shuffled=configs/...``). The
downstream configs are the random-init forms; pretrained arms load their
backbone through ``model.backbone.init_cfg``. ``--ablations`` runs the demo
forms of the paper's Table 3, ``mindeye`` and ``neurofusion`` beside
``random`` and ``recommended``, and adds a table shaped as Table 3 with the
paper's rows. ``--launcher slurm`` submits every stage as a slurm job
(``--slurm-*`` options; docs/user_guides/transfer_study.md, "On a
cluster"). ``--recipe paper`` gives every pretrained arm the paper's
head instead of the recommended one, and ``--pretrain-epochs`` shortens
pretraining (a work dir keeps one setting)::

    python projects/transfer_study/tools/transfer_study.py --ablations \
        --pretrain-epochs 6 --work-dir work_dirs/ablations
"""
import argparse
import os.path as osp
import sys

# the repository, whose projects/ holds this project
sys.path.insert(
    0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..', '..'))

from mmbrain.utils import report_user_errors  # noqa: E402
from projects.transfer_study.transfer_study.arms import (  # noqa: E402
    DEMO_ABLATION_ARMS, DEMO_DOWNSTREAM, STUDY_ARMS, parse_arms)
from projects.transfer_study.transfer_study.slurm import (  # noqa: E402
    SlurmStages)
from projects.transfer_study.transfer_study.stages import (  # noqa: E402
    run_stage)
from projects.transfer_study.transfer_study.study import (  # noqa: E402
    report, run_study)


@report_user_errors
def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--arms', nargs='+', help='NAME=CONFIG or random '
                        "(default: the study's eight demo arms, or the "
                        'demo ablations with --ablations)')
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
                        help='the arm judged against the others, paired by '
                        'seed')
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
    parser.add_argument('--jobs',
                        type=int,
                        default=1,
                        help='runs (arm and seed) at once, the CPU threads '
                        'shared among them, each run\'s output in its '
                        'stages.log (2 on a 2-core machine: a demo call '
                        'on two threads is only about 1.5 times as fast '
                        'as on one)')
    parser.add_argument('--launcher',
                        choices=('local', 'slurm'),
                        default='local',
                        help='slurm: every stage a slurm job (through '
                        'submitit), each run submitting its stages in order')
    parser.add_argument('--slurm-partition', help="default: the cluster's")
    parser.add_argument('--slurm-gpus',
                        type=int,
                        default=1,
                        help='GPUs per job (a stage is one process)')
    parser.add_argument('--slurm-cpus',
                        type=int,
                        help='CPUs per job, and the threads of its call')
    parser.add_argument('--slurm-timeout-min',
                        type=int,
                        default=24 * 60,
                        help="each job's time limit, in minutes")
    parser.add_argument('--slurm-folder',
                        help='where submitit keeps the jobs and their logs '
                        '(default: <work-dir>/slurm)')
    args = parser.parse_args()
    if args.jobs < 1:
        parser.error(f'--jobs must be 1 or more, not {args.jobs}')
    runner = run_stage
    if args.launcher == 'slurm':
        runner = SlurmStages(
            osp.join(args.slurm_folder or osp.join(args.work_dir, 'slurm'),
                     '%j'),
            partition=args.slurm_partition,
            gpus_per_node=args.slurm_gpus,
            cpus_per_task=args.slurm_cpus,
            timeout_min=args.slurm_timeout_min)
    result = run_study(
        parse_arms(args.arms or list(
            DEMO_ABLATION_ARMS if args.ablations else STUDY_ARMS)),
        args.seeds, args.data_root, args.subjects,
        {task: getattr(args, task) for task in DEMO_DOWNSTREAM},
        args.work_dir, args.recommended, args.recipe, args.pretrain_epochs,
        jobs=args.jobs, runner=runner)
    print('\n' + report(result, args.ablations))
    print(f'written to {osp.join(args.work_dir, "study.json")} and '
          f'{osp.join(args.work_dir, "study.png")} '
          f'({result["seconds"] / 60:.1f} min; tool calls run now '
          f'{result["seconds_run"] / 60:.1f} min)')


if __name__ == '__main__':
    main()
