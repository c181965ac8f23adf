"""Before any work: the raw inputs of a subject's preparation, read and
checked in seconds (:func:`check_inputs`), the fingerprints of its raw files
(which decide reuse, :mod:`.reuse`), and the disk it will take."""
import dataclasses
import hashlib
import os
import os.path as osp
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .. import layout
from ..betas import check_session_betas
from ..expdesign import load_expdesign
from ..layout import NSDFormatError
from ..mindeye2 import (TRIALS_PER_SESSION, betas_path, check_behav,
                        release_sessions)
from ..rois import ROIVoxels, load_roi_voxels, load_volume
from ..stim_info import StimInfo, load_stim_info


# files up to this size are digested whole (masks, design, stimulus table,
# ncsnr, demo sessions); larger ones (NSD's sessions, ~1 GB) are sampled
WHOLE_FILE_BYTES = 64 * 2**20
# the samples of a larger file: its first and last MiB, and 64 blocks of
# 64 KiB evenly spaced between them (6 MiB)
EDGE_BYTES, NUM_BLOCKS, BLOCK_BYTES = 2**20, 64, 2**16


def content_digest(path: str, size: int) -> str:
    """blake2b (32 hex digits) of a file of ``size`` bytes: of all of it up
    to :data:`WHOLE_FILE_BYTES`, else of its size and samples (which miss a
    change that lies wholly between them)."""
    digest = hashlib.blake2b(digest_size=16)
    with open(path, 'rb') as f:
        if size <= WHOLE_FILE_BYTES:
            for block in iter(lambda: f.read(2**20), b''):
                digest.update(block)
            return digest.hexdigest()
        digest.update(size.to_bytes(8, 'little'))
        step = (size - 2 * EDGE_BYTES - BLOCK_BYTES) / (NUM_BLOCKS - 1)
        samples = [(0, EDGE_BYTES)] + [
            (EDGE_BYTES + round(i * step), BLOCK_BYTES)
            for i in range(NUM_BLOCKS)
        ] + [(size - EDGE_BYTES, EDGE_BYTES)]
        for offset, length in samples:
            f.seek(offset)
            digest.update(f.read(length))
    return digest.hexdigest()


def fingerprint(path: str) -> list:
    """[size in bytes, modification time in ns, :func:`content_digest`] of
    a file."""
    stat = os.stat(layout.require_file(path))
    return [stat.st_size, stat.st_mtime_ns,
            content_digest(path, stat.st_size)]


def source_files(root: str, subject: int, rois: Sequence[str],
                 sessions: Sequence[int],
                 release: Optional[str] = None) -> Dict[str, list]:
    """Fingerprints of the raw files a cache is made of, by path relative to
    ``root``: the session files, or MindEye2's betas file ``release``."""
    paths = [layout.expdesign_path(root), layout.stim_info_path(root)]
    paths += [layout.require_mask(root, subject, roi) for roi in rois]
    paths += [layout.label_table_path(root, subject, roi) for roi in rois
              if osp.isfile(layout.label_table_path(root, subject, roi))]
    paths += ([release] if release else
              [layout.betas_path(root, subject, s) for s in sessions])
    if osp.exists(layout.ncsnr_path(root, subject)):
        paths.append(layout.ncsnr_path(root, subject))
    return {osp.relpath(p, root): fingerprint(p) for p in paths}


@dataclass
class SubjectVoxels:
    """The ROIs of a subject and the union of their voxels.

    Attributes:
        rois (dict): ROI -> :class:`ROIVoxels`.
        union (np.ndarray): (U, 3) sorted NIfTI indices of every voxel.
        columns (dict): ROI -> (V_k,) its voxels' rows in ``union``.
        volume_shape (tuple): (X, Y, Z).
        affine (np.ndarray): (4, 4) the masks' voxel-to-mm affine.
        absent (dict): ROI -> its voxels left out for lying outside
            ``within`` (:func:`load_subject_voxels`).
    """
    rois: Dict[str, ROIVoxels]
    union: np.ndarray
    columns: Dict[str, np.ndarray]
    volume_shape: Tuple[int, int, int]
    affine: np.ndarray
    absent: Dict[str, int]


def flat_index(ijk: np.ndarray, shape: Sequence[int]) -> np.ndarray:
    """(V,) C-order positions of (V, 3) voxels in a volume of ``shape``."""
    return np.ravel_multi_index(tuple(ijk.T), tuple(shape))


def keep_voxels(voxels: ROIVoxels, keep: np.ndarray) -> ROIVoxels:
    """The ROI narrowed to its voxels where ``keep`` (V,) is True."""
    return dataclasses.replace(voxels, ijk=voxels.ijk[keep],
                               coords=voxels.coords[keep],
                               labels=voxels.labels[keep])


def load_subject_voxels(root: str, subject: int, rois: Sequence[str],
                        within: Optional[np.ndarray] = None
                        ) -> SubjectVoxels:
    """The ROIs' voxels, only those among ``within`` ((W, 3) voxels, the
    columns of MindEye2's betas) when given.

    Raises:
        NSDFormatError: The masks disagree in space, or an ROI has no voxel
            in ``within``.
    """
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
    shape, absent = shapes.pop(), {}
    if within is not None:
        inside = flat_index(within, shape)
        for roi, v in voxels.items():
            keep = np.isin(flat_index(v.ijk, shape), inside)
            if not keep.any():
                raise NSDFormatError(
                    layout.roi_path(root, subject, roi),
                    f'none of its {len(keep)} voxels lies in nsdgeneral, '
                    "the only voxels of MindEye2's betas")
            absent[roi] = int((~keep).sum())
            voxels[roi] = keep_voxels(v, keep)
    union, inverse = np.unique(
        np.concatenate([v.ijk for v in voxels.values()]),
        axis=0,
        return_inverse=True)
    bounds = np.cumsum([0] + [len(v.ijk) for v in voxels.values()])
    columns = {
        roi: inverse.ravel()[bounds[i]:bounds[i + 1]]
        for i, roi in enumerate(rois)
    }
    return SubjectVoxels(voxels, union, columns, shape, affine, absent)


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
        release (str, optional): MindEye2's betas file, read in place of
            the session files.
        release_columns (np.ndarray, optional): (U,) the column of each
            union voxel in ``release``.
    """
    sessions: List[int]
    voxels: SubjectVoxels
    trials_per_session: int
    trial_ids: np.ndarray
    stim: StimInfo
    ncsnr: Optional[np.ndarray]
    release: Optional[str] = None
    release_columns: Optional[np.ndarray] = None


def nsdgeneral_ijk(root: str, subject: int) -> Tuple[str, np.ndarray]:
    """``nsdgeneral.nii.gz`` and its (V, 3) voxels equal to 1 in C order
    over (X, Y, Z): the columns of MindEye2's betas."""
    path = layout.require_mask(root, subject, 'nsdgeneral')
    ijk = load_roi_voxels(path).ijk  # labelled > 0: NSD's 1, not 0 or -1
    return path, ijk


def mindeye2_sessions(root: str, subject: int, mindeye2_dir: str,
                      trials_per_session: int = TRIALS_PER_SESSION
                      ) -> Tuple[str, List[int]]:
    """MindEye2's betas file of the subject and its sessions (1..n),
    checked against NSD's nsdgeneral mask (:func:`..mindeye2.
    release_sessions`)."""
    release = betas_path(mindeye2_dir, subject)
    mask, ijk = nsdgeneral_ijk(root, subject)
    count = release_sessions(release, len(ijk), mask, trials_per_session,
                             layout.NUM_SESSIONS[subject - 1])
    return release, list(range(1, count + 1))


def check_inputs(root: str, subject: int, rois: Sequence[str],
                 sessions: Sequence[int],
                 release: Optional[str] = None,
                 trials_per_session: int = TRIALS_PER_SESSION
                 ) -> SubjectInputs:
    """Read the small inputs (stimulus table, experiment design, ROI masks,
    ncsnr), and of every session file its header and a few trials of the
    ROI voxels (:func:`..betas.check_session_betas`), in seconds, so that a
    bad input stops the preparation before its first session.

    With MindEye2's betas file ``release`` (its sessions checked by
    :func:`mindeye2_sessions`) in place of the session files, the ROIs keep
    their voxels in nsdgeneral, and a webdataset beside it (``wds/``) is
    checked against the design (:func:`..mindeye2.check_behav`).

    Raises:
        NSDFormatError: Naming the file at fault.
    """
    stim = load_stim_info(layout.stim_info_path(root))
    design_ids = load_expdesign(
        layout.expdesign_path(root)).trial_nsd_ids(subject)
    release_columns = None
    if release is None:
        voxels = load_subject_voxels(root, subject, rois)
        trials = {
            s: check_session_betas(
                layout.betas_path(root, subject, s), voxels.union,
                voxels.volume_shape)
            for s in sessions
        }
        if len(set(trials.values())) != 1:
            raise NSDFormatError(
                layout.betas_dir(root, subject), 'sessions have different '
                f'trial counts: {trials}')
        per_session = trials[sessions[0]]
    else:
        general = nsdgeneral_ijk(root, subject)[1]
        voxels = load_subject_voxels(root, subject, rois, within=general)
        shape = voxels.volume_shape
        release_columns = np.searchsorted(
            flat_index(general, shape), flat_index(voxels.union, shape))
        per_session = trials_per_session
    needed = per_session * len(sessions)
    if needed > len(design_ids):
        raise NSDFormatError(
            release or layout.betas_path(root, subject, sessions[-1]),
            f'{len(sessions)} sessions of {per_session} trials need {needed} '
            f'trials in the experiment design, which has {len(design_ids)}')
    trial_ids = design_ids[:needed]
    outside = np.unique(trial_ids[~np.isin(trial_ids, stim.nsd_id)])
    if len(outside):
        raise NSDFormatError(
            layout.stim_info_path(root),
            f'nsdIds {outside[:5].tolist()} of subject {subject} are not in '
            'the stimulus table')
    wds = release and osp.join(osp.dirname(release), 'wds')
    if wds and osp.isdir(wds):
        check_behav(wds, subject, trial_ids)
    ncsnr = None
    if osp.exists(layout.ncsnr_path(root, subject)):
        ncsnr = load_volume(layout.ncsnr_path(root, subject),
                            voxels.volume_shape)
    return SubjectInputs(list(sessions), voxels, per_session, trial_ids, stim,
                         ncsnr, release, release_columns)


def disk_needed(inputs: SubjectInputs, sessions_to_write: int) -> int:
    """Bytes that stage 1 (``sessions_to_write`` session files) and the
    cache take at most: their float32 responses (and the two split halves
    of each test image shown 2 or more times), plus 10% for the voxel
    positions and HDF5's chunk indices (5% on the demo)."""
    session = inputs.trials_per_session * len(inputs.voxels.union)
    ids, repeats = np.unique(inputs.trial_ids, return_counts=True)
    stim = inputs.stim
    shared = stim.shared1000[np.searchsorted(stim.nsd_id, ids)]
    rows = len(ids) + 2 * int((shared & (repeats >= 2)).sum())
    cache = rows * sum(len(c) for c in inputs.voxels.columns.values())
    return int(1.1 * 4 * (sessions_to_write * session + cache))
