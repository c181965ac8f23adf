"""Does the brain signal make the backbone better downstream? Arms over seeds.

Each arm is a pretraining config (or ``random``: no pretraining). For every
seed and arm this tool pretrains (``randomness.seed``; a config that shuffles
the responses gets the seed as its permutation too), exports the backbone,
measures retrieval (image->brain or image->caption) on the held-out images
where the arm has it, fits the ridge readout of the held-out subject and
its RSA, runs the frozen probes (COCO multi-label linear and kNN, ADE20K
linear segmentation; clean, corrupted and under PGD), and fine-tunes and
tests Mask R-CNN and UperNet with the same seed. Every stage is a tool
call, echoed before it runs; a stage whose result exists is skipped (a training once its work dir
holds ``finished``), so a killed study resumes, a killed training from its
last checkpoint.
Prints mean ± std (over seeds, ddof 1) per arm and metric, the validity
gate (the ``labels`` positive control against ``random``) and, with two
seeds or more, the pre-registered comparisons (``transfer_study/
hypotheses.py``: H1 and H2, recommended - shuffled, ssl+brain -
ssl+shuffled, ssl+brain - ssl, recommended - captions on the clean
endpoints; H3, the first two on robustness and brain similarity) on the
endpoints the gate passes, paired by seed: the mean difference, its 95%
interval, the paired t-test's p with Holm's correction over each family's
rows, and the minimum detectable effect. Without those arms (``--ablations``),
the judged arm (``--recommended``) is compared with every other arm. It writes
``<work-dir>/study.json`` and its plot ``study.png`` (a panel per metric,
the gated endpoints first, a bar per arm with its 95% interval over
seeds); in ``seed<S>/<arm>``
every pretrained run also leaves ``pretrain/loss_curves.png``, and every
run the brain map of its readout under ``encoding/`` (``brain_map.png``;
``roi_r.png`` for Algonauts data). Example (the study's nine demo arms,
five seeds, two runs at once)::

    python projects/transfer_study/tools/transfer_study.py --seeds 0 1 2 3 4 \\
        --jobs 2 --work-dir work_dirs/transfer_study

A study at real scale is a profile (``--profile``, e.g.
``projects/transfer_study/configs/profiles/nsd_convnext_s.py``): its arms,
seeds, data, the runs that fine-tune (``--finetune``) and its slurm
dispatch in one file; ``--rehearse`` runs it on the demo layout at tiny
sizes. Arms are ``NAME=CONFIG`` (``--arms random shuffled=configs/...``). The
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
from projects.transfer_study.transfer_study.profile import (  # noqa: E402
    load_profile)
from projects.transfer_study.transfer_study.slurm import (  # noqa: E402
    SlurmStages)
from projects.transfer_study.transfer_study.stages import (  # noqa: E402
    run_stage)
from projects.transfer_study.transfer_study.study import (  # noqa: E402
    report, run_study)


@report_user_errors
def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--profile',
                        help='a study profile (configs/profiles/): arms, '
                        'seeds, data, fine-tunes and dispatch in one file; '
                        'options given here override it')
    parser.add_argument('--rehearse', action='store_true',
                        help="run the profile's rehearsal: its demo twins "
                        'on the demo layout at tiny sizes')
    parser.add_argument('--seeds', type=int, nargs='+',
                        help='default: 0 1 2')
    parser.add_argument('--arms', nargs='+', help='NAME=CONFIG or random '
                        "(default: the profile's, else the study's nine "
                        'demo arms, or the demo ablations with --ablations)')
    parser.add_argument('--ablations', action='store_true',
                        help="Table 3's arms and a table shaped as it")
    parser.add_argument('--data-root', help='default: data/demo_nsd')
    parser.add_argument('--subjects',
                        type=int,
                        nargs='+',
                        help='pretraining subjects, then the held-out one '
                        '(default: 1 2 3)')
    for task in DEMO_DOWNSTREAM:
        parser.add_argument(f'--{task.replace("_", "-")}',
                            help='default: the demo form')
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
    parser.add_argument('--scene-probes', action='store_true',
                        help='also the probes on freshly generated demo '
                        'scenes (a demo extra; no verdict rests on them)')
    parser.add_argument('--finetune', nargs='+',
                        help='the runs that fine-tune Mask R-CNN and '
                        'UperNet, ARM or ARM:SEED each (default: all)')
    parser.add_argument('--work-dir', default='work_dirs/transfer_study')
    parser.add_argument('--jobs',
                        type=int,
                        help='runs (arm and seed) at once, the CPU threads '
                        'shared among them, each run\'s output in its '
                        'stages.log (2 on a 2-core machine: a demo call '
                        'on two threads is only about 1.5 times as fast '
                        'as on one; default 1)')
    parser.add_argument('--launcher',
                        choices=('local', 'slurm'),
                        help='slurm: every stage a slurm job (through '
                        'submitit), each run submitting its stages in order')
    parser.add_argument('--slurm-partition', help="default: the cluster's")
    parser.add_argument('--slurm-gpus',
                        type=int,
                        help='GPUs per job (a stage is one process; '
                        'default 1)')
    parser.add_argument('--slurm-cpus',
                        type=int,
                        help='CPUs per job, and the threads of its call')
    parser.add_argument('--slurm-timeout-min',
                        type=int,
                        help="each job's time limit, in minutes (default "
                        "a day)")
    parser.add_argument('--slurm-folder',
                        help='where submitit keeps the jobs and their logs '
                        '(default: <work-dir>/slurm)')
    args = parser.parse_args()
    settings = load_profile(args.profile, args.rehearse)
    for key in ('seeds', 'data_root', 'subjects', 'pretrain_epochs',
                'finetune', 'jobs', 'launcher'):
        if getattr(args, key) is not None:
            settings[key] = getattr(args, key)
    if settings['jobs'] < 1:
        parser.error(f'--jobs must be 1 or more, not {settings["jobs"]}')
    downstream = dict(DEMO_DOWNSTREAM, **(settings['downstream'] or {}))
    downstream.update({task: getattr(args, task) for task in DEMO_DOWNSTREAM
                       if getattr(args, task) is not None})
    if args.arms or args.ablations:
        arms = args.arms or list(DEMO_ABLATION_ARMS)
    elif settings['arms']:
        arms = [f'{n}={c}' if c else n for n, c in settings['arms'].items()]
    else:
        arms = list(STUDY_ARMS)
    runner = run_stage
    if settings['launcher'] == 'slurm':
        slurm = dict(dict(gpus=1, cpus=None, timeout_min=24 * 60),
                     **settings['slurm'])
        for key in ('gpus', 'cpus', 'timeout_min'):
            if getattr(args, f'slurm_{key}') is not None:
                slurm[key] = getattr(args, f'slurm_{key}')
        runner = SlurmStages(
            osp.join(args.slurm_folder or osp.join(args.work_dir, 'slurm'),
                     '%j'),
            cluster=slurm.get('cluster'),
            partition=args.slurm_partition or slurm.get('partition'),
            gpus_per_node=slurm['gpus'],
            cpus_per_task=slurm['cpus'],
            timeout_min=slurm['timeout_min'])
    result = run_study(
        parse_arms(arms), settings['seeds'], settings['data_root'],
        settings['subjects'], downstream, args.work_dir, args.recommended,
        args.recipe, settings['pretrain_epochs'], jobs=settings['jobs'],
        runner=runner, scene_probes=args.scene_probes,
        finetune=settings['finetune'], roots=settings['roots'],
        downstream_options=settings['downstream_options'])
    print('\n' + report(result, args.ablations))
    print(f'written to {osp.join(args.work_dir, "study.json")} and '
          f'{osp.join(args.work_dir, "study.png")} '
          f'({result["seconds"] / 60:.1f} min; tool calls run now '
          f'{result["seconds_run"] / 60:.1f} min)')


if __name__ == '__main__':
    main()
