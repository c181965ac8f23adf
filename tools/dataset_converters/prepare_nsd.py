"""Turn raw NSD into the per-subject cache that NSDBrainDataset reads.

    python tools/dataset_converters/prepare_nsd.py data/nsd --subjects 1 2 3

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
    parser.add_argument('--force', action='store_true', help='rebuild')
    args = parser.parse_args()
    out_dir = args.out_dir or osp.join(args.data_root, 'prepared')

    for subject in args.subjects:
        start = time.time()
        report = prepare_subject(
            args.data_root,
            subject,
            out_dir,
            rois=args.rois,
            keep_trials=args.keep_trials,
            chunk_trials=args.chunk_trials,
            force=args.force)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        state = 'already prepared' if report['reused'] else 'prepared'
        print(f'subject {subject} {state}: {report["images"]} images, '
              f'{report["trials"]} trials, {report["sessions"]} sessions '
              f'({report["sessions_reused"]} reused), '
              f'{time.time() - start:.1f}s, peak memory {peak_mb:.0f} MB')
        for roi, counts in report['rois'].items():
            print(f'  {roi:<15} {counts["kept"]:>6} voxels kept, '
                  f'{counts["dropped"]} dropped (NaN or constant)')
    print(json.dumps(dict(out_dir=osp.abspath(out_dir))))


if __name__ == '__main__':
    main()
