"""Time and peak memory of prepare_nsd on NSD-sized synthetic sessions.

    python tools/analysis_tools/benchmark_prepare.py [--sessions 1 4 16]
        [--voxels 38000] [--work-dir /tmp/benchmark_prepare]

Writes ``max(--sessions)`` raw session files of the real size (750 trials of
an 83 x 104 x 81 int16 volume, about 1 GB each), ROI masks of six groups in
NSD's proportions (7k/2k/3k/4k/2k/20k voxels for ``--voxels 38000``) and a
design of 10,000 images shown 3 times. Then, for each count of sessions, one
fresh process prepares a subject of that many sessions with the files'
pages dropped from the page cache first (cold reads), and the benchmark
prints a line: time per session, GB/s of raw betas read, the process's peak
RSS and its RSS after imports. The last line is ``key=value`` pairs: the
ratio of peak RSS of the last count to the first, and their figures.
"""
import argparse
import json
import os
import os.path as osp
import resource
import shutil
import time
from multiprocessing import get_context

import numpy as np

from mmbrain.datasets.nsd import layout, raw_writer

ROI_SHARES = dict(
    zip(layout.ROI_GROUPS, np.array([7, 2, 3, 4, 2, 20]) / 38))
NUM_IMAGES, REPEATS = 10000, 3


def write_raw(root: str, sessions: int, voxels: int, trials: int,
              volume: tuple, seed: int = 0):
    """A subject-1 NSD download of ``sessions`` sessions under ``root``."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(np.repeat(np.arange(NUM_IMAGES), REPEATS))
    subjectim = np.tile(np.arange(NUM_IMAGES), (layout.NUM_SUBJECTS, 1))
    raw_writer.write_expdesign(root, order, subjectim, np.arange(1000))
    raw_writer.write_stim_info(root, np.arange(NUM_IMAGES),
                               ['train2017'] * NUM_IMAGES,
                               np.arange(NUM_IMAGES) < 1000)
    flat = rng.choice(np.prod(volume), voxels, replace=False)
    bounds = np.cumsum([0] + [round(s * voxels) for s in ROI_SHARES.values()])
    labels = {}
    for k, roi in enumerate(layout.ROI_GROUPS):
        labels[roi] = np.zeros(np.prod(volume), dtype=np.int16)
        labels[roi][flat[bounds[k]:bounds[k + 1]]] = 1
        labels[roi] = labels[roi].reshape(volume)
    raw_writer.write_rois(root, 1, labels, np.eye(4))
    for session in range(1, sessions + 1):
        raw_writer.write_betas(root, 1, session, (rng.integers(
            -3000, 3000, (min(50, trials - start), ) + tuple(volume),
            dtype=np.int16) for start in range(0, trials, 50)))


def subject_with(raw: str, root: str, sessions: int):
    """A root whose subject 1 has the first ``sessions`` sessions of
    ``raw`` (symbolic links)."""
    shutil.rmtree(root, ignore_errors=True)
    for path in ([layout.expdesign_path(raw), layout.stim_info_path(raw)] +
                 [layout.roi_path(raw, 1, roi) for roi in layout.ROI_GROUPS]
                 + [layout.betas_path(raw, 1, s)
                    for s in range(1, sessions + 1)]):
        link = osp.join(root, osp.relpath(path, raw))
        os.makedirs(osp.dirname(link), exist_ok=True)
        os.symlink(osp.abspath(path), link)


def drop_from_page_cache(paths):
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)


def timed_prepare(root: str, out_dir: str) -> dict:
    """Runs in a fresh process: seconds, peak RSS, RSS after imports."""
    from mmbrain.datasets.nsd.prepare import prepare_subject
    import_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    report = prepare_subject(
        root, 1, out_dir, allow_partial=True, force=True, progress=False)
    return dict(
        seconds=time.perf_counter() - start,
        peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        import_mb=import_mb,
        images=report['images'])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--sessions', type=int, nargs='+', default=[1, 4, 16])
    parser.add_argument('--voxels', type=int, default=38000)
    parser.add_argument('--trials', type=int, default=750)
    parser.add_argument('--volume', type=int, nargs=3, default=[83, 104, 81])
    parser.add_argument('--work-dir', default='/tmp/benchmark_prepare')
    args = parser.parse_args()
    raw = osp.join(args.work_dir, 'raw')
    spec = dict(sessions=max(args.sessions), voxels=args.voxels,
                trials=args.trials, volume=args.volume)
    spec_file = osp.join(raw, 'spec.json')
    if not (osp.exists(spec_file) and json.load(open(spec_file)) == spec):
        shutil.rmtree(raw, ignore_errors=True)
        start = time.perf_counter()
        write_raw(raw, spec['sessions'], args.voxels, args.trials,
                  tuple(args.volume))
        json.dump(spec, open(spec_file, 'w'))
        print(f'wrote {spec["sessions"]} synthetic sessions in '
              f'{time.perf_counter() - start:.0f}s')
    session_gb = osp.getsize(layout.betas_path(raw, 1, 1)) / 1e9

    pool = get_context('spawn')
    rows = []
    print(f'{args.voxels} ROI voxels, {args.trials} trials of '
          f'{session_gb:.2f} GB per session, cold reads')
    for sessions in args.sessions:
        root = osp.join(args.work_dir, f'root_{sessions}')
        subject_with(raw, root, sessions)
        drop_from_page_cache(
            layout.betas_path(raw, 1, s) for s in range(1, sessions + 1))
        with pool.Pool(1, maxtasksperchild=1) as workers:
            result = workers.apply(
                timed_prepare, (root, osp.join(root, 'prepared')))
        row = dict(
            sessions=sessions,
            images=result['images'],
            seconds_per_session=result['seconds'] / sessions,
            gb_per_s=sessions * session_gb / result['seconds'],
            peak_rss_mb=result['peak_mb'],
            import_rss_mb=result['import_mb'])
        rows.append(row)
        print(f'{sessions:>3} sessions ({row["images"]:>5} images): '
              f'{row["seconds_per_session"]:.2f} s/session, '
              f'{row["gb_per_s"]:.2f} GB/s, peak RSS '
              f'{row["peak_rss_mb"]:.0f} MB ({row["import_rss_mb"]:.0f} MB '
              'after imports)', flush=True)
        shutil.rmtree(root)
    first, last = rows[0], rows[-1]
    print(f'peak_rss_ratio={last["peak_rss_mb"] / first["peak_rss_mb"]:.3f} '
          f'first_s_per_session={first["seconds_per_session"]:.3f} '
          f'last_s_per_session={last["seconds_per_session"]:.3f} '
          f'last_gb_per_s={last["gb_per_s"]:.3f} '
          f'first_peak_rss_mb={first["peak_rss_mb"]:.0f} '
          f'last_peak_rss_mb={last["peak_rss_mb"]:.0f}')


if __name__ == '__main__':
    main()
