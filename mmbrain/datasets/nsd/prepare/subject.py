"""One subject's preparation: both stages under the subject's lock, after
every input is checked, or the complete cache reused."""
import os.path as osp
import shutil
import warnings
from typing import Dict, List, Optional, Sequence

import numpy as np

from .. import layout
from ..atomic_hdf5 import check_free_space, remove_temps
from ..cache import CACHE_VERSION, CacheWriter, cache_path, stored_version
from ..layout import NSDFormatError, find_sessions
from ..subject_lock import SubjectLock
from .averaging import read_trial_ids, write_averages
from ..mindeye2 import TRIALS_PER_SESSION
from .inputs import (SubjectInputs, check_inputs, disk_needed,
                     mindeye2_sessions, source_files)
from .reuse import check_reuse
from .sessions import prepare_sessions, session_file


def prepare_subject(root: str,
                    subject: int,
                    out_dir: str,
                    rois: Sequence[str] = layout.ROI_GROUPS,
                    keep_trials: bool = False,
                    chunk_trials: int = 50,
                    block_mb: float = 64,
                    allow_partial: bool = False,
                    force: bool = False,
                    progress: bool = True,
                    mindeye2_dir: Optional[str] = None,
                    trials_per_session: int = TRIALS_PER_SESSION) -> Dict:
    """Build (or finish) the cache of one subject; returns a report.

    The subject's lock (:class:`..subject_lock.SubjectLock`) is held
    throughout, so a second preparation of the subject refuses at once.
    Every input is checked (:func:`.inputs.check_inputs`) before the first
    session is read.

    Args:
        root (str): The NSD download (see :mod:`..layout`).
        subject (int): 1..8.
        out_dir (str): Where ``subjXX.h5`` (and the trials folder) go.
        rois (Sequence[str]): ROIs to keep: mask names, optionally narrowed
            (see :func:`..layout.parse_roi`).
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
        mindeye2_dir (str, optional): Read the betas from MindEye2's
            ``betas_all_subjXX_fp32_renorm.hdf5`` there instead of the
            session files (:mod:`..mindeye2`); the ROIs keep their voxels
            in nsdgeneral, and the report counts those left out.
        trials_per_session (int): Trials of a session in MindEye2's file.
            Defaults to NSD's 750.

    Raises:
        ValueError: An unknown subject or a malformed ROI name.
        NSDFormatError: A raw file is missing or wrong, naming it.
        SubjectLockedError: Another process prepares the subject.
        CacheWriteError: A file of the cache cannot be written (a full
            disk), naming it; finished session files are kept.
    """
    layout.check_subject(subject)
    rois = layout.check_rois(rois)
    release = None
    if mindeye2_dir is None:
        sessions, missing = find_sessions(root, subject, allow_partial)
    else:
        release, sessions = mindeye2_sessions(root, subject, mindeye2_dir,
                                              trials_per_session)
        missing = missing_sessions(release, subject, sessions,
                                   allow_partial)
    final = cache_path(out_dir, subject)
    trials_dir = osp.join(out_dir, f'subj{subject:02d}_trials')
    with SubjectLock(out_dir, subject):
        # what a killed run left; no other writer runs while we hold the lock
        remove_temps(final)
        for session in sessions:
            remove_temps(session_file(trials_dir, session))
        sources = source_files(root, subject, rois, sessions, release)
        if osp.exists(final) and not force:
            version = stored_version(final)
            if version == CACHE_VERSION:
                return dict(check_reuse(final, root, rois, sources),
                            reused=True)
            warnings.warn(f'{final}: a cache of version {version} (an older '
                          f'mmbrain); rebuilding it as version '
                          f'{CACHE_VERSION}')
        inputs = check_inputs(root, subject, rois, sessions, release,
                              trials_per_session)
        kept = 0 if force else sum(
            osp.exists(session_file(trials_dir, s)) for s in sessions)
        check_free_space(out_dir, disk_needed(inputs, len(sessions) - kept),
                         f'subject {subject}')
        report = dict(
            subject=subject,
            sessions=len(sessions),
            missing_sessions=missing,
            betas=release or 'session files')
        write_cache(root, subject, inputs, final, trials_dir, sources,
                    report, chunk_trials, block_mb, force, progress)
        if not keep_trials:
            shutil.rmtree(trials_dir)
    return dict(report, reused=False)


def missing_sessions(release: str, subject: int, sessions: List[int],
                     allow_partial: bool) -> List[int]:
    """The sessions NSD has that MindEye2's betas file lacks; refused
    unless ``allow_partial``."""
    missing = list(range(len(sessions) + 1,
                         layout.NUM_SESSIONS[subject - 1] + 1))
    if missing and not allow_partial:
        raise NSDFormatError(
            release, f'{len(sessions)} sessions; NSD subject {subject} has '
            f'{layout.NUM_SESSIONS[subject - 1]} (pass --allow-partial to '
            'prepare those there are)')
    return missing


def write_cache(root: str, subject: int, inputs: SubjectInputs, final: str,
                trials_dir: str, sources: Dict[str, list], report: Dict,
                chunk_trials: int, block_mb: float, force: bool,
                progress: bool):
    """Both stages for a subject whose inputs are checked. Adds to
    ``report`` the sessions reused, trials, images, test images with split
    halves and voxels per ROI group, and stores it in the cache."""
    voxels = inputs.voxels
    session_files, reused = prepare_sessions(root, subject, inputs, sources,
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
    # the test images with split halves: shown 2 or more times
    half_rows = np.flatnonzero(shared & (counts >= 2))
    report.update(split_half_images=int(len(half_rows)))
    with CacheWriter(final, image_ids, shared, num_repeats=counts,
                     half_rows=half_rows) as out:
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
            if roi in voxels.absent:  # outside nsdgeneral: not in MindEye2's
                report['rois'][roi]['outside_nsdgeneral'] = voxels.absent[roi]
        halves = [out.add_halves(roi) for roi in voxels.columns]
        block = max(1, int(block_mb * 2**20 // (8 * len(voxels.union))))
        write_averages(session_files, outputs, image_ids, counts, block,
                       out.check, halves=(half_rows, halves))
        out.finish(subject, list(voxels.columns), root, report, sources,
                   volume=(voxels.volume_shape, voxels.affine))
