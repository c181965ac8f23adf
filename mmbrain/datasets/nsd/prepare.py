"""Raw NSD -> a compact per-subject HDF5 cache that the dataset reads.

Two stages, both resumable:

1. Per session (``subjXX_trials/sessionNN.h5``): the betas of every voxel in
   any of the ROI groups are read, z-scored per voxel over the session's
   trials, and written with the trials' nsdIds. Each file is written under a
   temporary name and renamed, so a killed run redoes at most one session.
2. Final (``subjXX.h5``): per ROI group, the z-scores are averaged over the
   repeats of each image. Voxels that are NaN or constant in any session are
   dropped and counted. The file is written under a temporary name and
   renamed, so it exists only when complete.

Cache layout (``subjXX.h5``)::

    attrs: subject, rois, sessions, trials_per_session, source
    nsd_ids       (N,)  int64    0-based, sorted
    shared1000    (N,)  bool     the held-out test images
    num_repeats   (N,)  int64    trials averaged per image
    rois/<roi>/ijk        (V, 3) int64    NIfTI voxel indices
    rois/<roi>/coords     (V, 3) float32  mm, through the affine
    rois/<roi>/responses  (N, V) float32  mean z-scored beta
    rois/<roi>/ncsnr      (V,)   float32  noise ceiling SNR, when NSD's
                                          ncsnr.nii.gz is beside the betas
"""
import glob
import json
import os
import os.path as osp
import re
import shutil
from typing import Dict, Optional, Sequence

import h5py
import numpy as np
from mmengine.utils import ProgressBar

from . import layout
from .betas import read_session_betas
from .expdesign import load_expdesign
from .layout import NSDFormatError
from .rois import load_roi_voxels, load_volume
from .stim_info import load_stim_info

CACHE_VERSION = 1


def cache_path(out_dir: str, subject: int) -> str:
    return osp.join(out_dir, f'subj{subject:02d}.h5')


def find_sessions(root: str, subject: int) -> list:
    """Numbers of the ``betas_sessionNN.hdf5`` files present, 1..n."""
    folder = layout.betas_dir(root, subject)
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
    return found


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
        trial_ids (np.ndarray): (T,) nsdId of each trial.
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


def prepare_subject(root: str,
                    subject: int,
                    out_dir: str,
                    rois: Sequence[str] = layout.ROI_GROUPS,
                    keep_trials: bool = False,
                    chunk_trials: int = 50,
                    force: bool = False,
                    progress: bool = True) -> Dict:
    """Build (or finish) the cache of one subject; returns a report.

    Args:
        root (str): The NSD download (see :mod:`.layout`).
        subject (int): 1..8.
        out_dir (str): Where ``subjXX.h5`` (and the trials file) go.
        rois (Sequence[str]): ROI groups to keep.
        keep_trials (bool): Keep ``subjXX_trials/`` with the z-scored
            single trials. Defaults to False.
        chunk_trials (int): Trials read at a time from a session file.
        force (bool): Rebuild from the raw files, even if the cache is
            complete or session files of an earlier run are kept.
        progress (bool): Show a progress bar over sessions.
    """
    layout.check_subject(subject)
    unknown = set(rois) - set(layout.ROI_GROUPS)
    if unknown:
        raise ValueError(f'unknown ROI groups {sorted(unknown)}; NSD has '
                         f'{list(layout.ROI_GROUPS)}')
    final = cache_path(out_dir, subject)
    if osp.exists(final) and not force:
        with h5py.File(final, 'r') as f:
            report = json.loads(f.attrs['report'])
        report['reused'] = True
        return report
    os.makedirs(out_dir, exist_ok=True)

    design = load_expdesign(layout.expdesign_path(root))
    trial_ids_all = design.trial_nsd_ids(subject)
    stim = load_stim_info(layout.stim_info_path(root))
    sessions = find_sessions(root, subject)

    voxels = {
        roi: load_roi_voxels(layout.roi_path(root, subject, roi))
        for roi in rois
    }
    shapes = {v.volume_shape for v in voxels.values()}
    if len(shapes) != 1:
        raise NSDFormatError(
            osp.dirname(layout.roi_path(root, subject, rois[0])),
            f'ROI masks of subject {subject} have different volume shapes '
            f'{sorted(shapes)}')
    volume_shape = shapes.pop()
    union, inverse = np.unique(
        np.concatenate([v.ijk for v in voxels.values()]),
        axis=0,
        return_inverse=True)
    inverse = inverse.ravel()
    bounds = np.cumsum([0] + [len(v.ijk) for v in voxels.values()])
    roi_cols = {
        roi: inverse[bounds[i]:bounds[i + 1]]
        for i, roi in enumerate(rois)
    }

    trials_dir = osp.join(out_dir, f'subj{subject:02d}_trials')
    os.makedirs(trials_dir, exist_ok=True)
    session_files = [
        osp.join(trials_dir, f'session{s:02d}.h5') for s in sessions
    ]
    reused = 0
    bar = ProgressBar(len(sessions)) if progress else None
    for session, path in zip(sessions, session_files):
        if osp.exists(path) and not force:
            with h5py.File(path, 'r') as f:
                if not np.array_equal(f['union_ijk'][()], union):
                    raise NSDFormatError(
                        path, 'was written for other ROI voxels; delete '
                        f'{trials_dir} or pass force=True')
            reused += 1
        else:
            betas = read_session_betas(
                layout.betas_path(root, subject, session), union,
                volume_shape, chunk_trials)
            start = (session - 1) * len(betas)
            if start + len(betas) > len(trial_ids_all):
                raise NSDFormatError(
                    layout.expdesign_path(root),
                    f'masterordering has {len(trial_ids_all)} trials, fewer '
                    f'than subject {subject} session {session} needs '
                    f'({start + len(betas)})')
            z, bad = zscore_session(betas)
            with h5py.File(path + '.tmp', 'w') as f:
                f['zscored'] = z
                f['nsd_ids'] = trial_ids_all[start:start + len(betas)]
                f['bad'] = bad
                f['union_ijk'] = union
            os.replace(path + '.tmp', path)
        if bar:
            bar.update()
    if bar:
        print()

    trial_ids, bad = [], np.zeros(len(union), dtype=bool)
    for path in session_files:
        with h5py.File(path, 'r') as f:
            trial_ids.append(f['nsd_ids'][()])
            bad |= f['bad'][()]
    lengths = {len(ids) for ids in trial_ids}
    if len(lengths) != 1:
        raise NSDFormatError(
            layout.betas_dir(root, subject),
            f'sessions have different trial counts {sorted(lengths)}')
    image_ids = np.unique(np.concatenate(trial_ids))
    outside = image_ids[~np.isin(image_ids, stim.nsd_id)]
    if len(outside):
        raise NSDFormatError(
            layout.stim_info_path(root),
            f'nsdIds {outside[:5].tolist()} of subject {subject} are not in '
            'the stimulus table')

    report = dict(
        subject=subject,
        sessions=len(sessions),
        sessions_reused=reused,
        trials=int(sum(len(t) for t in trial_ids)),
        images=int(len(image_ids)),
        rois={})
    ncsnr = None
    if osp.exists(layout.ncsnr_path(root, subject)):
        ncsnr = load_volume(layout.ncsnr_path(root, subject), volume_shape)
    tmp = final + '.tmp'
    with h5py.File(tmp, 'w') as out:
        for roi in rois:
            cols = roi_cols[roi]
            keep = ~bad[cols]
            if not keep.any():
                raise NSDFormatError(
                    layout.roi_path(root, subject, roi),
                    f'every voxel of {roi} is NaN or constant in the betas')
            cols = cols[keep]
            lo, hi = cols.min(), cols.max() + 1
            sums = np.zeros((len(image_ids), len(cols)))
            counts = np.zeros(len(image_ids), dtype=np.int64)
            for path, ids in zip(session_files, trial_ids):
                with h5py.File(path, 'r') as f:
                    # a contiguous read, then a gather (h5py point
                    # selection is slow)
                    z = f['zscored'][:, lo:hi][:, cols - lo]
                part, n = average_repeats(ids, z, image_ids)
                sums += part
                counts += n
            group = out.create_group(f'rois/{roi}')
            group['ijk'] = voxels[roi].ijk[keep]
            group['coords'] = voxels[roi].coords[keep]
            if ncsnr is not None:
                i, j, k = voxels[roi].ijk[keep].T
                group['ncsnr'] = ncsnr[i, j, k].astype(np.float32)
            group.create_dataset(
                'responses',
                data=(sums / counts[:, None]).astype(np.float32),
                chunks=(1, len(cols)))
            report['rois'][roi] = dict(
                voxels=int(len(keep)),
                dropped=int((~keep).sum()),
                kept=int(keep.sum()))
        out['nsd_ids'] = image_ids
        out['num_repeats'] = counts
        out['shared1000'] = stim.shared1000[np.searchsorted(
            stim.nsd_id, image_ids)]
        out.attrs.update(
            subject=subject,
            rois=json.dumps(list(rois)),
            sessions=len(sessions),
            trials_per_session=lengths.pop(),
            source=osp.abspath(root),
            version=CACHE_VERSION,
            report=json.dumps(report))
    os.replace(tmp, final)
    if not keep_trials:
        shutil.rmtree(trials_dir)
    report['reused'] = False
    return report


def open_cache(path: str, rois: Optional[Sequence[str]] = None) -> h5py.File:
    """Open a cache file for reading, checking that it holds ``rois``."""
    layout.require_file(path)
    f = h5py.File(path, 'r')
    if f.attrs.get('version') != CACHE_VERSION:
        f.close()
        raise NSDFormatError(path, 'not an mmbrain NSD cache of version '
                             f'{CACHE_VERSION}; run prepare_nsd.py again')
    missing = [r for r in rois or [] if f'rois/{r}' not in f]
    if missing:
        held = json.loads(f.attrs['rois'])
        f.close()
        raise NSDFormatError(path, f'ROI groups {missing} are absent; '
                             f'it holds {held}')
    return f
