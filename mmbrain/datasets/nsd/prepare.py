"""Raw NSD -> the per-subject cache (:mod:`.cache`) that the dataset reads.

Two stages, both resumable, with memory bounded by one session and one
block of images, whatever the number of sessions and images:

1. Per session (``subjXX_trials/sessionNN.h5``): the betas of every voxel in
   any of the ROIs are read a few trials at a time, z-scored per voxel
   over the session's trials, and written sorted by nsdId, with the size and
   modification time of the raw file. A kept session file is reused only if
   it matches the raw file and the voxels; each is written under a
   temporary name and renamed, so a killed run redoes at most one, and a
   full disk leaves no partial file (:mod:`.writing`).
2. Final (``subjXX.h5``): the z-scores are averaged over the repeats of each
   image, a block of images at a time, reading from every session only the
   trials of the block (one slice, as rows are sorted), and written straight
   into the cache. Voxels that are NaN or constant in any session are
   dropped and counted.

Every input is read and checked before stage 1 (:func:`check_inputs`), and
the subject's lock is held throughout, so two preparations of a subject
never write at once. A complete cache is reused only if it holds the ROIs
asked for and its raw files (masks and label tables among them) are
unchanged; otherwise the error says what differs.
"""
import glob
import json
import os
import os.path as osp
import re
import shlex
import shutil
import warnings
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import h5py
import numpy as np
from mmengine.utils import ProgressBar
from nibabel.affines import apply_affine

from . import layout
from .betas import read_session_betas, session_trials
from .cache import (CACHE_VERSION, BrainCache, CacheWriter, cache_path,
                    stored_version, volume_attrs)
from .expdesign import load_expdesign
from .hdf5 import open_hdf5, read, require_dataset
from .layout import NSDFormatError
from .rois import ROIVoxels, load_roi_voxels, load_volume
from .stim_info import StimInfo, load_stim_info
from .writing import (AtomicHDF5, SubjectLock, check_free_space,
                      remove_temps)

SESSION_VERSION = 2  # of the stage-1 files


def find_sessions(root: str, subject: int,
                  allow_partial: bool = False) -> Tuple[list, list]:
    """Numbers of the ``betas_sessionNN.hdf5`` files present (1..n) and of
    those missing from NSD's count for the subject.

    Raises:
        NSDFormatError: No session, a gap, more sessions than NSD has, or
            missing sessions without ``allow_partial``.
    """
    folder = layout.betas_dir(layout.check_root(root), subject)
    found = sorted(
        int(m.group(1)) for m in (
            re.fullmatch(r'betas_session(\d+)\.hdf5', osp.basename(p))
            for p in glob.glob(osp.join(folder, 'betas_session*.hdf5')))
        if m)
    if not found:
        raise NSDFormatError(folder, 'no betas_sessionNN.hdf5 files')
    if found != list(range(1, len(found) + 1)):
        raise NSDFormatError(
            folder, f'sessions must run 1..n without gaps, found {found}')
    expected = layout.NUM_SESSIONS[subject - 1]
    if len(found) > expected:
        raise NSDFormatError(
            folder, f'{len(found)} sessions; NSD subject {subject} has '
            f'{expected}')
    missing = list(range(len(found) + 1, expected + 1))
    if missing and not allow_partial:
        raise NSDFormatError(
            folder, f'{len(found)} of the {expected} sessions of NSD '
            f'subject {subject}: sessions {session_span(missing)} are '
            'missing (a partial download?); pass --allow-partial to prepare '
            'what is there')
    return found, missing


def session_span(numbers: List[int]) -> str:
    """'4-40' for sessions 4..40, '40' for one."""
    return (str(numbers[0]) if len(numbers) == 1 else
            f'{numbers[0]}-{numbers[-1]}')


def fingerprint(path: str) -> list:
    """[size in bytes, modification time in ns] of a file."""
    stat = os.stat(layout.require_file(path))
    return [stat.st_size, stat.st_mtime_ns]


def source_files(root: str, subject: int, rois: Sequence[str],
                 sessions: Sequence[int]) -> Dict[str, list]:
    """Fingerprints of the raw files a cache is made of, by path relative to
    ``root``."""
    paths = [layout.expdesign_path(root), layout.stim_info_path(root)]
    paths += [layout.require_mask(root, subject, roi) for roi in rois]
    paths += [layout.label_table_path(root, subject, roi) for roi in rois
              if osp.isfile(layout.label_table_path(root, subject, roi))]
    paths += [layout.betas_path(root, subject, s) for s in sessions]
    if osp.exists(layout.ncsnr_path(root, subject)):
        paths.append(layout.ncsnr_path(root, subject))
    return {osp.relpath(p, root): fingerprint(p) for p in paths}


def zscore_session(betas: np.ndarray) -> tuple:
    """Z-score each voxel over the trials of one session (ddof 0).

    Args:
        betas (np.ndarray): (T, V) betas of one session.

    Returns:
        tuple: (T, V) float32 z-scores (0 for bad voxels) and (V,) bool
        marking voxels that are NaN/inf or constant in this session.
    """
    finite = np.isfinite(betas).all(axis=0)
    safe = np.where(finite, betas, 0).astype(np.float64)
    mean = safe.mean(axis=0)
    std = safe.std(axis=0)
    bad = ~finite | (std <= 1e-8 * np.maximum(np.abs(mean), 1))
    z = (safe - mean) / np.where(bad, 1, std)
    z[:, bad] = 0
    return z.astype(np.float32), bad


def average_repeats(trial_ids: np.ndarray, values: np.ndarray,
                    image_ids: np.ndarray) -> tuple:
    """Sum and count the trials of each image.

    Args:
        trial_ids (np.ndarray): (T,) nsdId of each trial, all in
            ``image_ids``.
        values (np.ndarray): (T, V) one value per trial and voxel.
        image_ids (np.ndarray): (N,) sorted nsdIds that index the output.

    Returns:
        tuple: (N, V) float64 sums and (N,) int64 counts.
    """
    order = np.argsort(trial_ids, kind='stable')
    ids, starts, counts = np.unique(
        trial_ids[order], return_index=True, return_counts=True)
    sums = np.zeros((len(image_ids), values.shape[1]), dtype=np.float64)
    rows = np.searchsorted(image_ids, ids)
    sums[rows] = np.add.reduceat(
        values[order].astype(np.float64), starts, axis=0)
    n = np.zeros(len(image_ids), dtype=np.int64)
    n[rows] = counts
    return sums, n


@dataclass
class SubjectVoxels:
    """The ROIs of a subject and the union of their voxels.

    Attributes:
        rois (dict): ROI -> :class:`ROIVoxels`.
        union (np.ndarray): (U, 3) sorted NIfTI indices of every voxel.
        columns (dict): ROI -> (V_k,) its voxels' rows in ``union``.
        volume_shape (tuple): (X, Y, Z).
        affine (np.ndarray): (4, 4) the masks' voxel-to-mm affine.
    """
    rois: Dict[str, ROIVoxels]
    union: np.ndarray
    columns: Dict[str, np.ndarray]
    volume_shape: Tuple[int, int, int]
    affine: np.ndarray


def load_subject_voxels(root: str, subject: int,
                        rois: Sequence[str]) -> SubjectVoxels:
    voxels = {
        roi: load_roi_voxels(layout.require_mask(root, subject, roi),
                             layout.parse_roi(roi)[1],
                             layout.label_table_path(root, subject, roi))
        for roi in rois
    }
    shapes = {v.volume_shape for v in voxels.values()}
    if len(shapes) != 1:
        raise NSDFormatError(
            osp.dirname(layout.roi_path(root, subject, rois[0])),
            f'ROI masks of subject {subject} have different volume shapes '
            f'{sorted(shapes)}')
    affine = voxels[rois[0]].affine
    for roi, v in voxels.items():
        if not np.allclose(v.affine, affine, atol=1e-4):
            raise NSDFormatError(
                layout.roi_path(root, subject, roi),
                f'its affine differs from that of the {rois[0]} mask: the '
                'ROI masks of a subject must share one volume space')
    union, inverse = np.unique(
        np.concatenate([v.ijk for v in voxels.values()]),
        axis=0,
        return_inverse=True)
    bounds = np.cumsum([0] + [len(v.ijk) for v in voxels.values()])
    columns = {
        roi: inverse.ravel()[bounds[i]:bounds[i + 1]]
        for i, roi in enumerate(rois)
    }
    return SubjectVoxels(voxels, union, columns, shapes.pop(), affine)


@dataclass
class SubjectInputs:
    """Every raw input of one subject's preparation, read and checked.

    Attributes:
        sessions (list): Numbers of the session files present (1..n).
        voxels (SubjectVoxels): The ROIs' voxels.
        trials_per_session (int): T, the same in every session file.
        trial_ids (np.ndarray): (n * T,) nsdId of each trial of the present
            sessions, from the experiment design.
        stim (StimInfo): The stimulus table.
        ncsnr (np.ndarray, optional): (X, Y, Z) noise ceiling SNR, when
            ``ncsnr.nii.gz`` is there.
    """
    sessions: List[int]
    voxels: SubjectVoxels
    trials_per_session: int
    trial_ids: np.ndarray
    stim: StimInfo
    ncsnr: Optional[np.ndarray]


def check_inputs(root: str, subject: int, rois: Sequence[str],
                 sessions: Sequence[int]) -> SubjectInputs:
    """Read the small inputs (stimulus table, experiment design, ROI masks,
    ncsnr) and every session file's header, in seconds, so that a bad input
    stops the preparation before its first session.

    Raises:
        NSDFormatError: Naming the file at fault.
    """
    stim = load_stim_info(layout.stim_info_path(root))
    design_ids = load_expdesign(
        layout.expdesign_path(root)).trial_nsd_ids(subject)
    voxels = load_subject_voxels(root, subject, rois)
    trials = {
        s: session_trials(
            layout.betas_path(root, subject, s), voxels.volume_shape)
        for s in sessions
    }
    if len(set(trials.values())) != 1:
        raise NSDFormatError(
            layout.betas_dir(root, subject), 'sessions have different trial '
            f'counts: {trials}')
    per_session = trials[sessions[0]]
    needed = per_session * len(sessions)
    if needed > len(design_ids):
        raise NSDFormatError(
            layout.betas_path(root, subject, sessions[-1]),
            f'{len(sessions)} sessions of {per_session} trials need {needed} '
            f'trials in the experiment design, which has {len(design_ids)}')
    trial_ids = design_ids[:needed]
    outside = np.unique(trial_ids[~np.isin(trial_ids, stim.nsd_id)])
    if len(outside):
        raise NSDFormatError(
            layout.stim_info_path(root),
            f'nsdIds {outside[:5].tolist()} of subject {subject} are not in '
            'the stimulus table')
    ncsnr = None
    if osp.exists(layout.ncsnr_path(root, subject)):
        ncsnr = load_volume(layout.ncsnr_path(root, subject),
                            voxels.volume_shape)
    return SubjectInputs(list(sessions), voxels, per_session, trial_ids, stim,
                         ncsnr)


def disk_needed(inputs: SubjectInputs, sessions_to_write: int) -> int:
    """Bytes that stage 1 (``sessions_to_write`` session files) and the
    cache take at most: their float32 responses, plus 10% for the voxel
    positions and HDF5's chunk indices (5% on the demo)."""
    session = inputs.trials_per_session * len(inputs.voxels.union)
    images = len(np.unique(inputs.trial_ids))
    cache = images * sum(len(c) for c in inputs.voxels.columns.values())
    return int(1.1 * 4 * (sessions_to_write * session + cache))


def session_is_current(path: str, raw_path: str, union: np.ndarray) -> bool:
    """Whether a kept session file was made from ``raw_path`` as it is now,
    for these voxels."""
    with open_hdf5(path) as f:
        return (f.attrs.get('version') == SESSION_VERSION
                and json.loads(f.attrs['source']) == fingerprint(raw_path)
                and np.array_equal(f['union_ijk'][()], union))


def write_session(raw_path: str, path: str, voxels: SubjectVoxels,
                  trial_ids: np.ndarray, chunk_trials: int):
    """Stage 1 for one session: z-scored betas of the union voxels, rows
    sorted by nsdId (``trial`` gives each row's trial in the session).

    Args:
        raw_path (str): ``betas_sessionNN.hdf5``, T trials.
        path (str): The session file to write.
        voxels (SubjectVoxels): The voxels to read.
        trial_ids (np.ndarray): (T,) nsdIds of the session's trials.
        chunk_trials (int): Trials per read of the raw file.
    """
    betas = read_session_betas(raw_path, voxels.union, voxels.volume_shape,
                               chunk_trials)
    bad = np.empty(betas.shape[1], dtype=bool)
    for lo in range(0, betas.shape[1], 4096):  # in place, 4096 voxels at once
        betas[:, lo:lo + 4096], bad[lo:lo + 4096] = zscore_session(
            betas[:, lo:lo + 4096])
    # rows sorted by image: the trials of a block of images are one slice
    order = np.argsort(trial_ids, kind='stable')
    with AtomicHDF5(path) as f:
        f.create_dataset(
            'zscored', data=betas[order], chunks=(1, betas.shape[1]))
        f['nsd_ids'] = trial_ids[order]
        f['trial'] = order
        f['bad'] = bad
        f['union_ijk'] = voxels.union
        f.attrs.update(
            source=json.dumps(fingerprint(raw_path)), version=SESSION_VERSION)


def session_file(trials_dir: str, session: int) -> str:
    return osp.join(trials_dir, f'session{session:02d}.h5')


def prepare_sessions(root: str, subject: int, inputs: SubjectInputs,
                     trials_dir: str, chunk_trials: int, force: bool,
                     progress: bool) -> Tuple[list, int]:
    """Stage 1 for every session; returns the session files and how many
    were reused."""
    os.makedirs(trials_dir, exist_ok=True)
    files, reused = [], 0
    per_session = inputs.trials_per_session
    bar = ProgressBar(len(inputs.sessions)) if progress else None
    try:
        for session in inputs.sessions:
            raw = layout.betas_path(root, subject, session)
            path = session_file(trials_dir, session)
            if (not force and osp.exists(path)
                    and session_is_current(path, raw, inputs.voxels.union)):
                reused += 1
            else:
                write_session(
                    raw, path, inputs.voxels,
                    inputs.trial_ids[(session - 1) *
                                     per_session:session * per_session],
                    chunk_trials)
            files.append(path)
            if bar:
                bar.update()
    finally:
        if bar:  # end the bar's line, also when a session fails
            print(flush=True)
    return files, reused


def write_averages(session_files: Sequence[str],
                   outputs: Sequence[tuple],
                   image_ids: np.ndarray,
                   counts: np.ndarray,
                   block_images: int,
                   check: Optional[Callable[[], None]] = None):
    """Stage 2: the mean z-score of each image over its repeats, written a
    block of ``block_images`` images at a time (memory: a few (block, U)
    float64 arrays).

    Args:
        session_files (Sequence[str]): Stage-1 files.
        outputs (Sequence[tuple]): (dataset, columns) pairs: an (N, V_k)
            dataset to fill and the (V_k,) union columns it takes.
        image_ids (np.ndarray): (N,) sorted nsdIds, the output rows.
        counts (np.ndarray): (N,) trials per image over all sessions.
        block_images (int): Images averaged at a time.
        check (callable, optional): Called after each block; it raises to
            stop (:meth:`.CacheWriter.check`, at the first write error).
    """
    files = [open_hdf5(p) for p in session_files]
    try:
        trial_ids = [f['nsd_ids'][()] for f in files]
        num_voxels = files[0]['zscored'].shape[1]
        for start in range(0, len(image_ids), block_images):
            block = image_ids[start:start + block_images]
            sums = np.zeros((len(block), num_voxels))
            for f, ids in zip(files, trial_ids):
                lo, hi = (np.searchsorted(ids, block[0], 'left'),
                          np.searchsorted(ids, block[-1], 'right'))
                if hi > lo:
                    sums += average_repeats(
                        ids[lo:hi], read(f['zscored'], np.s_[lo:hi]),
                        block)[0]
            mean = sums / counts[start:start + len(block), None]
            for data, columns in outputs:
                data[start:start + len(block)] = mean[:, columns]
            if check is not None:
                check()
    finally:
        for f in files:
            f.close()


def read_trial_ids(session_files: Sequence[str]) -> tuple:
    """The sorted nsdIds shown, their trial counts over all sessions, and
    the (U,) voxels bad in any session."""
    ids, bad = [], None
    for path in session_files:
        with open_hdf5(path) as f:
            ids.append(read(require_dataset(f, 'nsd_ids', (None, ))))
            flags = read(require_dataset(f, 'bad', (None, ), np.bool_))
            bad = flags if bad is None else bad | flags
    image_ids, counts = np.unique(np.concatenate(ids), return_counts=True)
    return image_ids, counts, bad


def check_reuse(path: str, root: str, rois: Sequence[str],
                sources: Dict[str, list]) -> Dict:
    """The report of a complete cache that holds ``rois``, whose raw files
    are unchanged, and which no new raw file (a session) would enter.

    Args:
        sources (dict): :func:`source_files` of this request.

    Raises:
        NSDFormatError: Naming the cache and saying what differs.
    """
    with BrainCache(path) as cache:
        problems = []
        missing = [r for r in rois if r not in cache.rois]
        if missing:
            problems.append(f'it lacks ROIs {missing} (it holds '
                            f'{cache.rois})')
        changed = [
            name for name, stamp in cache.sources.items()
            if not osp.isfile(osp.join(root, name))
            or fingerprint(osp.join(root, name)) != stamp
        ]
        if changed:
            problems.append('these raw files were removed or changed since '
                            f'(size or time): {changed}')
        added = [name for name in sources if name not in cache.sources]
        if added and not missing:
            problems.append(f'these raw files are new: {added}')
        if problems:
            raise NSDFormatError(
                path, 'is complete, but ' + '; '.join(problems) +
                '. Pass --force (force=True) to rebuild it')
        return cache.report


def add_volume(path: str, root: str, subject: int):
    """Upgrade a version-2 cache in place to version 3, which adds the
    volume (shape and affine of the ROI masks) that ``ijk`` indexes.

    Raises:
        NSDFormatError: Naming the cache, when the masks no longer map its
            voxel indices to its coordinates (prepare it again with
            ``--force``).
    """
    with h5py.File(path, 'r+') as f:
        rois = json.loads(f.attrs['rois'])
        voxels = load_subject_voxels(root, subject, rois)
        for roi in rois:
            mm = apply_affine(voxels.affine, f[f'rois/{roi}/ijk'][()])
            if not np.allclose(mm, f[f'rois/{roi}/coords'][()], atol=1e-3):
                raise NSDFormatError(
                    path, f'its {roi} voxels are not where the ROI masks '
                    'put them now; prepare it again with --force')
        f.attrs.update(volume_attrs(voxels.volume_shape, voxels.affine),
                       version=CACHE_VERSION)


def prepare_command(root: str, subject: int, out_dir: str) -> str:
    """The ``prepare_nsd.py`` command that builds the cache of a subject in
    ``out_dir`` from the raw files present (with ``--allow-partial`` for a
    partial download).

    Raises:
        NSDFormatError: The raw betas of the subject are not there.
    """
    args = [root, '--subjects', str(subject)]
    if osp.normpath(out_dir) != osp.normpath(osp.join(root, 'prepared')):
        args += ['--out-dir', out_dir]
    if find_sessions(root, subject, allow_partial=True)[1]:
        args.append('--allow-partial')
    return 'python tools/dataset_converters/prepare_nsd.py ' + shlex.join(
        args)


def prepare_subject(root: str,
                    subject: int,
                    out_dir: str,
                    rois: Sequence[str] = layout.ROI_GROUPS,
                    keep_trials: bool = False,
                    chunk_trials: int = 50,
                    block_mb: float = 64,
                    allow_partial: bool = False,
                    force: bool = False,
                    progress: bool = True) -> Dict:
    """Build (or finish) the cache of one subject; returns a report.

    The subject's lock (:class:`.writing.SubjectLock`) is held throughout,
    so a second preparation of the subject refuses at once. Every input is
    checked (:func:`check_inputs`) before the first session is read.

    Args:
        root (str): The NSD download (see :mod:`.layout`).
        subject (int): 1..8.
        out_dir (str): Where ``subjXX.h5`` (and the trials folder) go.
        rois (Sequence[str]): ROIs to keep: mask names, optionally narrowed
            (see :func:`.layout.parse_roi`).
        keep_trials (bool): Keep ``subjXX_trials/`` with the z-scored
            single trials. Defaults to False.
        chunk_trials (int): Trials read at a time from a session file.
        block_mb (float): Size of one block of averaged images, as (block,
            voxels) float64; bounds the memory of stage 2.
        allow_partial (bool): Prepare a subject with fewer sessions than
            NSD has; the report lists the missing ones.
        force (bool): Rebuild from the raw files, even if the cache is
            complete or session files of an earlier run are kept.
        progress (bool): Show a progress bar over sessions.

    Raises:
        ValueError: An unknown subject or a malformed ROI name.
        NSDFormatError: A raw file is missing or wrong, naming it.
        SubjectLockedError: Another process prepares the subject.
        CacheWriteError: A file of the cache cannot be written (a full
            disk), naming it; finished session files are kept.
    """
    layout.check_subject(subject)
    rois = layout.check_rois(rois)
    sessions, missing = find_sessions(root, subject, allow_partial)
    final = cache_path(out_dir, subject)
    trials_dir = osp.join(out_dir, f'subj{subject:02d}_trials')
    with SubjectLock(out_dir, subject):
        # what a killed run left; no other writer runs while we hold the lock
        remove_temps(final)
        for session in sessions:
            remove_temps(session_file(trials_dir, session))
        sources = source_files(root, subject, rois, sessions)
        if osp.exists(final) and not force:
            version = stored_version(final)
            if version == 2:  # all of version 3 but the volume: add it
                add_volume(final, root, subject)
                version = CACHE_VERSION
            if version == CACHE_VERSION:
                return dict(check_reuse(final, root, rois, sources),
                            reused=True)
            warnings.warn(f'{final}: a cache of version {version} (an older '
                          f'mmbrain); rebuilding it as version '
                          f'{CACHE_VERSION}')
        inputs = check_inputs(root, subject, rois, sessions)
        kept = 0 if force else sum(
            osp.exists(session_file(trials_dir, s)) for s in sessions)
        check_free_space(out_dir, disk_needed(inputs, len(sessions) - kept),
                         f'subject {subject}')
        report = dict(
            subject=subject,
            sessions=len(sessions),
            missing_sessions=missing)
        write_cache(root, subject, inputs, final, trials_dir, sources,
                    report, chunk_trials, block_mb, force, progress)
        if not keep_trials:
            shutil.rmtree(trials_dir)
    return dict(report, reused=False)


def write_cache(root: str, subject: int, inputs: SubjectInputs, final: str,
                trials_dir: str, sources: Dict[str, list], report: Dict,
                chunk_trials: int, block_mb: float, force: bool,
                progress: bool):
    """Both stages for a subject whose inputs are checked. Adds to
    ``report`` the sessions reused, trials, images and voxels per ROI
    group, and stores it in the cache."""
    voxels = inputs.voxels
    session_files, reused = prepare_sessions(root, subject, inputs,
                                             trials_dir, chunk_trials, force,
                                             progress)
    image_ids, counts, bad = read_trial_ids(session_files)
    report.update(
        sessions_reused=reused,
        trials=int(counts.sum()),
        images=int(len(image_ids)),
        rois={})
    stim = inputs.stim
    shared = stim.shared1000[np.searchsorted(stim.nsd_id, image_ids)]
    with CacheWriter(final, image_ids, shared, num_repeats=counts) as out:
        outputs = []
        for roi, columns in voxels.columns.items():
            keep = ~bad[columns]
            if not keep.any():
                raise NSDFormatError(
                    layout.roi_path(root, subject, roi),
                    f'every voxel of {roi} is NaN or constant in the betas')
            ijk = voxels.rois[roi].ijk[keep]
            outputs.append((out.add_roi(
                roi,
                coords=voxels.rois[roi].coords[keep],
                ijk=ijk,
                labels=voxels.rois[roi].labels[keep],
                label_names=voxels.rois[roi].label_names,
                ncsnr=None if inputs.ncsnr is None else
                inputs.ncsnr[tuple(ijk.T)]), columns[keep]))
            report['rois'][roi] = dict(
                voxels=int(len(keep)),
                dropped=int((~keep).sum()),
                kept=int(keep.sum()))
        block = max(1, int(block_mb * 2**20 // (8 * len(voxels.union))))
        write_averages(session_files, outputs, image_ids, counts, block,
                       out.check)
        out.finish(subject, list(voxels.columns), root, report, sources,
                   volume=(voxels.volume_shape, voxels.affine))
