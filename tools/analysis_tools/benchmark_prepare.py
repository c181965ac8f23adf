"""Time and peak memory of prepare_nsd on NSD-sized synthetic sessions,
and the time to open and verify the cache it writes.

    python tools/analysis_tools/benchmark_prepare.py [--sessions 1 4 16]
        [--voxels 38000] [--work-dir /tmp/benchmark_prepare]
        [--baseline REF | --mindeye2]

Writes ``max(--sessions)`` raw session files of the real size (750 trials of
an 83 x 104 x 81 int16 volume, about 1 GB each), ROI masks of six groups in
NSD's proportions (7k/2k/3k/4k/2k/20k voxels for ``--voxels 38000``) and a
design of 10,000 images shown 3 times. Then, for each count of sessions, one
fresh process checks the inputs (``check_inputs``) and prepares a subject of
that many sessions, each with the files' pages dropped from the page cache
first (cold reads), and opens the cache: ``BrainCache`` alone (warm, the
best of 5), and ``BrainCache`` and ``verify`` with the cache's pages
dropped first, and warm. The benchmark prints a line per count: time per
session, GB/s of raw betas read, the process's peak RSS and its RSS after
imports, the input check's time, and the cache's size and times.

``--mindeye2`` also writes the sessions as MindEye2's release holds them
(``betas_all_subj01_fp32_renorm.hdf5``: nsdgeneral, here the union of the
groups, z-scored over the pooled trials) and prepares each count from it
(``prepare_subject(mindeye2_dir=...)``) in the same way, and prints the
raw route's time over it.

``--baseline REF`` measures the same with the ``mmbrain`` package of the
git revision REF (``git archive``, a child process) on the same raw files,
and prints today over REF for the last count. A REF without
``BrainCache.verify`` reads every dataset instead, a block of rows at a
time, as ``verify`` does (the same reads, without checksums to check).
The last line is ``key=value`` pairs: the ratio of peak RSS of the last
count to the first, their figures, and with ``--baseline`` REF's figures of
the last count.
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

from benchmark_utils import print_comparison, run_baseline
from mmbrain.datasets.demo.mindeye2 import write_release_betas
from mmbrain.datasets.nsd import layout, raw_writer
from mmbrain.datasets.nsd.mindeye2 import BETAS_FILE

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

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
    labels['nsdgeneral'] = sum(labels.values()).clip(max=1)
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
                 [layout.roi_path(raw, 1, roi)
                  for roi in layout.ROI_GROUPS + ('nsdgeneral', )]
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


def open_and_verify(path: str):
    """Open a cache and read every chunk: ``BrainCache.verify``, or where
    the package has none (a baseline), the same reads without it."""
    from mmbrain.datasets.nsd import BrainCache
    with BrainCache(path) as cache:
        if hasattr(cache, 'verify'):
            return cache.verify()
        names = []
        cache.file.visititems(lambda name, item: names.append(name)
                              if hasattr(item, 'chunks') else None)
        for name in names:
            data = cache.file[name]
            row_bytes = data.dtype.itemsize * int(np.prod(data.shape[1:]))
            rows = max(1, 2**26 // max(1, row_bytes))  # 64 MiB, as verify
            for start in range(0, len(data), rows):
                data[start:start + rows]


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def timed_prepare(root: str, out_dir: str, sessions: int,
                  release: str = None, trials: int = 750) -> dict:
    """Runs in a fresh process: seconds of the input check and of the
    preparation (from MindEye2's betas in the folder ``release`` when
    given), peak RSS, RSS after imports; then the cache's size and the
    seconds to open it (warm), and to open and verify it (cold, warm)."""
    from mmbrain.datasets.nsd import BrainCache
    from mmbrain.datasets.nsd.prepare import check_inputs, prepare_subject
    import_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if release is None:
        betas = [layout.betas_path(root, 1, s)
                 for s in range(1, sessions + 1)]
        kwargs = {}
    else:
        betas = [osp.join(release, BETAS_FILE.format(1))]
        kwargs = dict(mindeye2_dir=release, trials_per_session=trials)
    start = time.perf_counter()
    if release is None:
        check_inputs(root, 1, layout.ROI_GROUPS,
                     list(range(1, sessions + 1)))
    check_s = time.perf_counter() - start
    drop_from_page_cache(betas)  # what the check read, cold again
    start = time.perf_counter()
    report = prepare_subject(
        root, 1, out_dir, allow_partial=True, force=True, progress=False,
        **kwargs)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cache = osp.join(out_dir, 'subj01.h5')
    drop_from_page_cache([cache])
    start = time.perf_counter()
    open_and_verify(cache)
    verify_cold_s = time.perf_counter() - start
    return dict(
        seconds=seconds,
        check_s=check_s,
        peak_mb=peak_mb,
        import_mb=import_mb,
        images=report['images'],
        cache_mb=osp.getsize(cache) / 2**20,
        open_ms=1e3 * best_of(lambda: BrainCache(cache).close(), 5),
        verify_cold_s=verify_cold_s,
        verify_warm_s=best_of(lambda: open_and_verify(cache), 3))


def measure(args) -> list:
    """Write the raw files (once), then a row of figures per count of
    sessions."""
    raw = osp.join(args.work_dir, 'raw')
    spec = dict(sessions=max(args.sessions), voxels=args.voxels,
                trials=args.trials, volume=args.volume, nsdgeneral=True)
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
                timed_prepare, (root, osp.join(root, 'prepared'), sessions))
        if args.mindeye2:
            release = osp.join(root, 'mindeye2')
            # in a child: this process's peak memory would pass to the next
            # (a fork keeps it), and the measured ones report their own
            with pool.Pool(1, maxtasksperchild=1) as workers:
                workers.apply(write_release_betas, (root, release, 1))
            drop_from_page_cache([osp.join(release, BETAS_FILE.format(1))])
            with pool.Pool(1, maxtasksperchild=1) as workers:
                result['mindeye2_s'] = workers.apply(
                    timed_prepare, (root, osp.join(root, 'prepared_me2'),
                                    sessions, release,
                                    args.trials))['seconds']
            print(f'{sessions:>3} sessions: {result["seconds"]:.1f} s from '
                  f'the session files, {result["mindeye2_s"]:.1f} s from '
                  "MindEye2's betas file (same cache, nsdgeneral only): "
                  f'{result["seconds"] / result["mindeye2_s"]:.2f}x',
                  flush=True)
        row = dict(
            sessions=sessions,
            mindeye2_s_per_session=result.get('mindeye2_s', np.nan) /
            sessions,
            images=result['images'],
            seconds_per_session=result['seconds'] / sessions,
            gb_per_s=sessions * session_gb / result['seconds'],
            peak_rss_mb=result['peak_mb'],
            import_rss_mb=result['import_mb'],
            **{k: result[k] for k in ('check_s', 'cache_mb', 'open_ms',
                                      'verify_cold_s', 'verify_warm_s')})
        rows.append(row)
        print(f'{sessions:>3} sessions ({row["images"]:>5} images): '
              f'{row["seconds_per_session"]:.2f} s/session, '
              f'{row["gb_per_s"]:.2f} GB/s, peak RSS '
              f'{row["peak_rss_mb"]:.0f} MB ({row["import_rss_mb"]:.0f} MB '
              f'after imports); inputs checked in {row["check_s"]:.2f} s; '
              f'cache {row["cache_mb"]:.0f} MB: open {row["open_ms"]:.1f} '
              f'ms, open + verify {row["verify_cold_s"]:.2f} s cold, '
              f'{row["verify_warm_s"]:.2f} s warm', flush=True)
        shutil.rmtree(root)
    return rows


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--sessions', type=int, nargs='+', default=[1, 4, 16])
    parser.add_argument('--voxels', type=int, default=38000)
    parser.add_argument('--trials', type=int, default=750)
    parser.add_argument('--volume', type=int, nargs=3, default=[83, 104, 81])
    parser.add_argument('--work-dir', default='/tmp/benchmark_prepare')
    parser.add_argument(
        '--mindeye2', action='store_true',
        help="also prepare each count from MindEye2's betas file, written "
        'from the same sessions')
    parser.add_argument(
        '--baseline', metavar='REF',
        help='a git revision whose preparation is measured beside today\'s')
    # the baseline's child process: its rows, JSON last
    parser.add_argument('--worker', action='store_true',
                        help=argparse.SUPPRESS)
    return parser.parse_args()


def main():
    args = parse_args()
    rows = measure(args)
    if args.worker:
        return print(json.dumps(rows))
    first, last = rows[0], rows[-1]
    line = dict(
        peak_rss_ratio=last['peak_rss_mb'] / first['peak_rss_mb'],
        first_s_per_session=first['seconds_per_session'],
        last_s_per_session=last['seconds_per_session'],
        last_gb_per_s=last['gb_per_s'],
        last_mindeye2_s_per_session=last['mindeye2_s_per_session'],
        first_peak_rss_mb=first['peak_rss_mb'],
        last_peak_rss_mb=last['peak_rss_mb'])
    if args.baseline:
        print(f'\nthe same at {args.baseline}:')
        argv = ['--sessions', *map(str, args.sessions), '--voxels',
                str(args.voxels), '--trials', str(args.trials), '--volume',
                *map(str, args.volume), '--work-dir', args.work_dir]
        then = run_baseline(args.baseline, __file__, argv, REPO)[-1]
        keys = ['seconds_per_session', 'check_s', 'peak_rss_mb', 'cache_mb',
                'open_ms', 'verify_cold_s', 'verify_warm_s']
        print(f'{last["sessions"]} sessions:')
        print_comparison([(k, last[k], then[k]) for k in keys],
                         args.baseline, digits=3)
        line.update({f'baseline_{k}': then[k] for k in keys},
                    **{f'last_{k}': last[k] for k in keys[1:]})
    print(' '.join(f'{k}={v:.4g}' for k, v in line.items()))


if __name__ == '__main__':
    main()
