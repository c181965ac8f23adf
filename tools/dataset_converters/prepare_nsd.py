"""Turn raw NSD into the per-subject cache that NSDBrainDataset reads.

    python tools/dataset_converters/prepare_nsd.py data/nsd --subjects 1 2 3

Algonauts 2023 data (surface space) take their vertex coordinates from files
the user gives, one (V, 3) .npy per subject and hemisphere::

    python tools/dataset_converters/prepare_nsd.py data/algonauts \
        --format algonauts --subjects 1 \
        --vertex-coords 'coords/subj{subject:02d}_{hemi}.npy' \
        --stim-info data/nsd/nsddata/experiments/nsd/nsd_stim_info_merged.csv

Writes ``<out-dir>/subjXX.h5`` (default ``<data_root>/prepared``). Re-running
skips finished subjects and, inside a subject, finished sessions. Prints, per
subject, the voxels kept and dropped (NaN or constant) per ROI group, the
time taken and the peak memory of the process.
"""
import argparse
import json
import os.path as osp
import resource
import time

from mmbrain.datasets.nsd.algonauts import (HEMISPHERES,
                                             convert_algonauts_subject)
from mmbrain.datasets.nsd.layout import ROI_GROUPS
from mmbrain.datasets.nsd.prepare import prepare_subject


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('data_root', help='the NSD download')
    parser.add_argument('--subjects', type=int, nargs='+', required=True)
    parser.add_argument('--out-dir', help='default: <data_root>/prepared')
    parser.add_argument('--rois', nargs='+', default=list(ROI_GROUPS))
    parser.add_argument(
        '--keep-trials',
        action='store_true',
        help='keep the z-scored single trials (subjXX_trials/)')
    parser.add_argument('--chunk-trials', type=int, default=50)
    parser.add_argument(
        '--force', action='store_true', help='rebuild from the raw files')
    parser.add_argument('--format', choices=['nsd', 'algonauts'],
                        default='nsd')
    parser.add_argument(
        '--vertex-coords',
        help='algonauts: path pattern with {subject} and {hemi}')
    parser.add_argument(
        '--stim-info', help='algonauts: nsd_stim_info_merged.csv (marks '
        'the shared1000 test images)')
    args = parser.parse_args()
    out_dir = args.out_dir or osp.join(args.data_root, 'prepared')
    if args.format == 'algonauts' and not args.vertex_coords:
        parser.error('--format algonauts needs --vertex-coords')

    for subject in args.subjects:
        start = time.time()
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
                force=args.force)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        state = 'already prepared' if report.get('reused') else 'prepared'
        details = f'{report["images"]} images'
        if 'sessions' in report:  # raw NSD
            details += (f', {report["trials"]} trials, {report["sessions"]} '
                        f'sessions ({report["sessions_reused"]} reused)')
        print(f'subject {subject} {state}: {details}, '
              f'{time.time() - start:.2f}s, peak memory {peak_mb:.0f} MB')
        for roi, counts in report['rois'].items():
            print(f'  {roi:<15} {counts["kept"]:>6} voxels kept, '
                  f'{counts["dropped"]} dropped (NaN or constant)')
    print(json.dumps(dict(out_dir=osp.abspath(out_dir))))


if __name__ == '__main__':
    main()
