"""Turn raw NSD into the per-subject cache that NSDBrainDataset reads.

    python tools/dataset_converters/prepare_nsd.py data/nsd --subjects 1 2 3
    python tools/dataset_converters/prepare_nsd.py data/nsd \
        --subjects 1 2 3 4 5 6 7 8 --workers 4     # a process per subject

Algonauts 2023 data (surface space) take their vertex coordinates from files
the user gives, one (V, 3) .npy per subject and hemisphere::

    python tools/dataset_converters/prepare_nsd.py data/algonauts \
        --format algonauts --subjects 1 \
        --vertex-coords 'coords/subj{subject:02d}_{hemi}.npy' \
        --stim-info data/nsd/nsddata/experiments/nsd/nsd_stim_info_merged.csv

MindEye2's preprocessed betas (``betas_all_subjXX_fp32_renorm.hdf5``) can
stand in for the session files; the ROI groups then keep their voxels in
nsdgeneral, and the counts left out are printed::

    python tools/dataset_converters/prepare_nsd.py data/nsd --subjects 1 \
        --mindeye2-dir data/mindeye2

Any mask of a subject's ``roi/`` folder can be kept, narrowed to some of
its labels (named by ``nsddata/freesurfer/subjXX/label/<mask>.mgz.ctab``)::

    python tools/dataset_converters/prepare_nsd.py data/nsd --subjects 1 \
        --rois nsdgeneral 'floc-faces:FFA-1,FFA-2' prf-visualrois:V1v,V1d

Writes ``<out-dir>/subjXX.h5`` (default ``<data_root>/prepared``). Re-running
skips finished subjects and, inside a subject, finished sessions. A subject
with fewer session files than NSD has is refused unless ``--allow-partial``.
Prints, per subject, the voxels kept and dropped (NaN or constant) per ROI,
the time taken and the peak memory of its process. A subject that
fails is reported on one line with its file while the others go on; the
exit status is then 1.

One preparation per subject at a time: it holds ``<out-dir>/subjXX.lock``
throughout, and a second preparation of that subject (another command, or
a subject listed twice) refuses at once, naming the process that holds it.
The lock of a killed run is taken over on the same host; one left by a run
on another host must be deleted by hand. Every input is checked before the
first session is read, a short disk gets a warning first, and a full disk
stops the subject with one line, keeping its finished sessions for a rerun.
"""
import argparse
import json
import os.path as osp
import resource
import sys
import time
import traceback
import warnings
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context

from mmbrain.datasets.nsd import NSDFormatError, prepare_subject
from mmbrain.datasets.nsd.algonauts import (HEMISPHERES,
                                             convert_algonauts_subject)
from mmbrain.datasets.nsd.layout import (ROI_GROUPS, check_rois, check_root,
                                         check_subject, require_mask,
                                         session_span)
from mmbrain.datasets.nsd.mindeye2 import TRIALS_PER_SESSION
from mmbrain.utils import UserError, report_user_errors


def one_line_warnings(message, category, *_, **__):
    print(f'warning: {message}', file=sys.stderr, flush=True)


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False)
    parser.add_argument('data_root', help='the NSD download')
    parser.add_argument('--subjects', type=int, nargs='+', required=True)
    parser.add_argument('--out-dir', help='default: <data_root>/prepared')
    parser.add_argument(
        '--rois',
        nargs='+',
        default=list(ROI_GROUPS),
        help="masks of the subject's roi/ folder (nsdgeneral, HCP_MMP1, "
        '...), each optionally narrowed to labels by name or number '
        "('floc-faces:FFA-1,FFA-2'); default: the six ROI groups. "
        'Algonauts: ROI classes of roi_masks/, or all-vertices')
    parser.add_argument(
        '--workers',
        type=int,
        default=1,
        help='subjects prepared at once, each in its own process')
    parser.add_argument(
        '--allow-partial',
        action='store_true',
        help='prepare subjects with fewer sessions than NSD has')
    parser.add_argument(
        '--keep-trials',
        action='store_true',
        help='keep the z-scored single trials (subjXX_trials/)')
    parser.add_argument('--chunk-trials', type=int, default=50)
    parser.add_argument(
        '--block-mb',
        type=float,
        default=64,
        help='memory of one block of averaged images')
    parser.add_argument(
        '--force', action='store_true', help='rebuild from the raw files')
    parser.add_argument('--format', choices=['nsd', 'algonauts'],
                        default='nsd')
    parser.add_argument(
        '--mindeye2-dir', metavar='DIR',
        help="read the betas from MindEye2's preprocessed "
        'betas_all_subjXX_fp32_renorm.hdf5 in DIR (a wds/ folder beside it '
        'is checked against the design) instead of the session files; '
        'the masks, design and stimulus table still come from data_root')
    parser.add_argument(
        '--trials-per-session', type=int, default=TRIALS_PER_SESSION,
        help="--mindeye2-dir: trials of a session in MindEye2's betas "
        f"(NSD's {TRIALS_PER_SESSION})")
    parser.add_argument(
        '--vertex-coords',
        help='algonauts: path pattern with {subject} and {hemi}')
    parser.add_argument(
        '--stim-info', help='algonauts: nsd_stim_info_merged.csv (marks '
        'the shared1000 test images)')
    argv = sys.argv[1:]
    args = parser.parse_args(argv)

    def fail(problem: str):
        parser.exit(2, f'{parser.prog}: error: {problem}\n')

    given = Counter(a.split('=', 1)[0] for a in argv if a.startswith('--'))
    repeated = [a for a, n in given.items() if n > 1]
    if repeated:
        fail(f'{", ".join(repeated)} given more than once; give each option '
             'once (--subjects takes several numbers: --subjects 1 2 3)')
    if args.format == 'algonauts' and not args.vertex_coords:
        fail('--format algonauts needs --vertex-coords')
    if args.format == 'algonauts' and args.mindeye2_dir:
        fail('--mindeye2-dir reads NSD masks: not with --format algonauts')
    if args.mindeye2_dir and not osp.isdir(args.mindeye2_dir):
        fail(f'--mindeye2-dir {args.mindeye2_dir}: no such folder')
    if args.workers < 1:
        fail('--workers must be at least 1')
    try:
        for subject in args.subjects:
            check_subject(subject)
        check_rois(args.rois)
        check_root(args.data_root)
        if args.format == 'nsd':  # every mask there before any work
            for subject in args.subjects:
                for roi in args.rois:
                    require_mask(args.data_root, subject, roi)
    except (ValueError, NSDFormatError) as e:
        fail(str(e))
    twice = sorted(s for s, n in Counter(args.subjects).items() if n > 1)
    if twice:
        print(f'note: --subjects lists {twice} more than once; each subject '
              'is prepared once', flush=True)
        args.subjects = list(dict.fromkeys(args.subjects))
    return args


def prepare_one(args, out_dir: str, subject: int) -> dict:
    """Prepare one subject; its report, time and peak memory, or its
    error."""
    warnings.showwarning = one_line_warnings
    start = time.time()
    try:
        if args.format == 'algonauts':
            report = convert_algonauts_subject(
                osp.join(args.data_root, f'subj{subject:02d}'),
                subject,
                out_dir,
                vertex_coords={
                    hemi: args.vertex_coords.format(subject=subject,
                                                    hemi=hemi)
                    for hemi in HEMISPHERES
                },
                rois=args.rois,
                stim_info=args.stim_info)
        else:
            report = prepare_subject(
                args.data_root,
                subject,
                out_dir,
                rois=args.rois,
                keep_trials=args.keep_trials,
                chunk_trials=args.chunk_trials,
                block_mb=args.block_mb,
                allow_partial=args.allow_partial,
                force=args.force,
                progress=args.workers == 1,
                mindeye2_dir=args.mindeye2_dir,
                trials_per_session=args.trials_per_session)
    except UserError as e:  # a mistake or a problem of the data: one line
        return dict(subject=subject, error=str(e))
    except Exception:  # a bug: keep its traceback, let the others finish
        return dict(subject=subject, error=traceback.format_exc())
    return dict(
        subject=subject,
        report=report,
        seconds=time.time() - start,
        peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def print_result(result: dict):
    subject = result['subject']
    if 'error' in result:
        print(f'subject {subject} FAILED: {result["error"]}', flush=True)
        return
    report = result['report']
    state = 'already prepared' if report['reused'] else 'prepared'
    details = f'{report["images"]} images'
    if 'sessions' in report:  # raw NSD
        details += (f', {report["trials"]} trials, {report["sessions"]} '
                    f'sessions ({report["sessions_reused"]} reused)')
        missing = report['missing_sessions']
        if missing:
            details += (f', PARTIAL: sessions {session_span(missing)} '
                        'missing')
    print(f'subject {subject} {state}: {details}, '
          f'{result["seconds"]:.2f}s, peak memory {result["peak_mb"]:.0f} '
          'MB')
    if report.get('betas', 'session files') != 'session files':
        print(f'  betas from {report["betas"]}')
    for roi, counts in report['rois'].items():
        outside = counts.get('outside_nsdgeneral')
        print(f'  {roi:<15} {counts["kept"]:>6} voxels kept, '
              f'{counts["dropped"]} dropped (NaN or constant)' +
              ('' if outside is None else
               f', {outside} outside nsdgeneral (not in the betas)'))
    sys.stdout.flush()


@report_user_errors
def main():
    args = parse_args()
    out_dir = args.out_dir or osp.join(args.data_root, 'prepared')
    if args.workers == 1:
        results = []
        for subject in args.subjects:
            results.append(prepare_one(args, out_dir, subject))
            print_result(results[-1])
    else:
        # spawn: each subject starts from a fresh process, its peak memory
        # its own
        with ProcessPoolExecutor(
                args.workers, mp_context=get_context('spawn'),
                max_tasks_per_child=1) as pool:
            futures = {
                pool.submit(prepare_one, args, out_dir, subject): subject
                for subject in args.subjects
            }
            results = []
            for future in as_completed(futures):
                try:
                    results.append(future.result())
                except BrokenProcessPool as e:  # killed, out of memory
                    results.append(dict(
                        subject=futures[future],
                        error=f'its process died ({e})'))
                print_result(results[-1])
    failed = [r['subject'] for r in results if 'error' in r]
    print(json.dumps(dict(out_dir=osp.abspath(out_dir), failed=failed)))
    if failed:
        sys.exit(1)


if __name__ == '__main__':
    main()
