"""Paths of the raw NSD release, relative to the folder a user downloads.

::

    data_root/
    ├── nsddata/experiments/nsd/
    │   ├── nsd_expdesign.mat
    │   └── nsd_stim_info_merged.csv
    ├── nsddata/ppdata/subj01/func1pt8mm/
    │   ├── roi/{nsdgeneral,prf-visualrois,floc-faces,HCP_MMP1,...}.nii.gz
    │   └── T1_to_func1pt8mm.nii.gz                           (anatomy)
    ├── nsddata/freesurfer/subj01/label/<mask>.mgz.ctab       (label names)
    ├── nsddata_stimuli/stimuli/nsd/nsd_stimuli.hdf5          (imgBrick)
    └── nsddata_betas/ppdata/subj01/func1pt8mm/betas_fithrf_GLMdenoise_RR/
        ├── betas_session01.hdf5 ... betas_session40.hdf5      (betas, int16)
        └── ncsnr.nii.gz

:func:`find_sessions` tells the sessions present, and :func:`prepare_command`
the command that prepares them (what the dataset prints for a subject
without a cache).

An ROI is named by its mask file, ``'nsdgeneral'`` for
``roi/nsdgeneral.nii.gz``, and narrowed to some of its labels after a
colon, by name (from the label table) or number:
``'floc-faces:FFA-1,FFA-2'``, ``'prf-visualrois:1,2'``.
"""
import glob
import os.path as osp
import re
import shlex
from typing import List, Optional, Tuple

from mmbrain.utils.user_errors import UserError

# Brainformer's six ROI groups, the default ROIs
ROI_GROUPS = ('prf-visualrois', 'floc-bodies', 'floc-faces', 'floc-places',
              'floc-words', 'streams')
MASK_SUFFIX = '.nii.gz'
# sessions recorded per subject (subj01..subj08)
NUM_SESSIONS = (40, 40, 32, 30, 40, 32, 40, 30)
NUM_SUBJECTS = len(NUM_SESSIONS)
BETAS_SCALE = 300.  # betas are stored as int16 of the value x 300


class NSDFormatError(UserError, ValueError):
    """A file of the NSD layout is missing or not what the reader expects."""

    def __init__(self, path: str, problem: str):
        super().__init__(f'{path}: {problem}')
        self.path, self.problem = path, problem


def check_subject(subject: int) -> int:
    if not isinstance(subject, int) or not 1 <= subject <= NUM_SUBJECTS:
        raise ValueError(f'unknown NSD subject {subject!r}: subjects are '
                         f'the integers 1..{NUM_SUBJECTS}')
    return subject


def parse_roi(roi: str) -> Tuple[str, Optional[Tuple[str, ...]]]:
    """``'floc-faces:FFA-1,FFA-2'`` -> ``('floc-faces', ('FFA-1',
    'FFA-2'))``; ``'nsdgeneral'`` -> ``('nsdgeneral', None)``.

    Raises:
        ValueError: Not of the form ``mask`` or ``mask:label,label``.
    """
    if not isinstance(roi, str):
        raise ValueError(f'an ROI is a mask name (a str), got {roi!r}')
    mask, colon, labels = roi.partition(':')
    areas = tuple(a.strip() for a in labels.split(',')) if colon else None
    if (not mask or '/' in mask or mask != mask.strip()
            or (areas is not None and (not all(areas)
                                       or len(set(areas)) < len(areas)))):
        raise ValueError(
            f'bad ROI {roi!r}: name a mask of the subject\'s roi/ folder '
            "('nsdgeneral'), optionally narrowed to distinct labels by name "
            "or number ('floc-faces:FFA-1,FFA-2')")
    return mask, areas


def check_rois(rois) -> tuple:
    """The ROIs asked for (see :func:`parse_roi`), distinct and at least
    one; whether their masks exist is checked where they are read."""
    if isinstance(rois, str) or not rois:
        raise ValueError(f'rois must be a list of ROI names, got {rois!r}')
    for roi in rois:
        parse_roi(roi)
    if len(set(rois)) < len(rois):
        raise ValueError(f'ROIs named twice in {list(rois)}')
    return tuple(rois)


def check_root(root: str) -> str:
    """The folder of an NSD download, which must exist."""
    if not osp.isdir(root):
        raise NSDFormatError(root, 'data root not found (the folder of the '
                             'NSD download)')
    return root


def require_file(path: str) -> str:
    if not osp.isfile(path):
        raise NSDFormatError(path, 'file not found')
    return path


def expdesign_path(root: str) -> str:
    return osp.join(root, 'nsddata', 'experiments', 'nsd',
                    'nsd_expdesign.mat')


def stim_info_path(root: str) -> str:
    return osp.join(root, 'nsddata', 'experiments', 'nsd',
                    'nsd_stim_info_merged.csv')


def stimuli_path(root: str) -> str:
    return osp.join(root, 'nsddata_stimuli', 'stimuli', 'nsd',
                    'nsd_stimuli.hdf5')


def func_dir(root: str, subject: int) -> str:
    return osp.join(root, 'nsddata', 'ppdata', f'subj{subject:02d}',
                    'func1pt8mm')


def roi_path(root: str, subject: int, roi: str) -> str:
    """The mask file of an ROI (of its mask, for a narrowed one)."""
    return osp.join(func_dir(root, subject), 'roi',
                    parse_roi(roi)[0] + MASK_SUFFIX)


def masks_present(root: str, subject: int) -> list:
    """The names of the masks in a subject's ``roi/`` folder, sorted."""
    pattern = osp.join(func_dir(root, subject), 'roi', '*' + MASK_SUFFIX)
    return sorted(osp.basename(p)[:-len(MASK_SUFFIX)]
                  for p in glob.glob(pattern))


def require_mask(root: str, subject: int, roi: str) -> str:
    """The mask file of an ROI, which must exist.

    Raises:
        NSDFormatError: Naming the ``roi/`` folder and the masks in it.
    """
    path = roi_path(root, subject, roi)
    if not osp.isfile(path):
        raise NSDFormatError(
            osp.dirname(path), f'no ROI mask {osp.basename(path)} for '
            f'{roi!r}; the masks here are {masks_present(root, subject)}')
    return path


def label_table_path(root: str, subject: int, roi: str) -> str:
    """NSD's label names of an ROI's mask, ``<mask>.mgz.ctab``."""
    return osp.join(root, 'nsddata', 'freesurfer', f'subj{subject:02d}',
                    'label', parse_roi(roi)[0] + '.mgz.ctab')


def t1_path(root: str, subject: int) -> str:
    """The subject's T1 resampled to the functional space of the masks."""
    return osp.join(func_dir(root, subject), 'T1_to_func1pt8mm.nii.gz')


def betas_dir(root: str, subject: int) -> str:
    return osp.join(root, 'nsddata_betas', 'ppdata', f'subj{subject:02d}',
                    'func1pt8mm', 'betas_fithrf_GLMdenoise_RR')


def betas_path(root: str, subject: int, session: int) -> str:
    return osp.join(
        betas_dir(root, subject), f'betas_session{session:02d}.hdf5')


def ncsnr_path(root: str, subject: int) -> str:
    return osp.join(betas_dir(root, subject), 'ncsnr.nii.gz')


def find_sessions(root: str, subject: int,
                  allow_partial: bool = False) -> Tuple[list, list]:
    """Numbers of the ``betas_sessionNN.hdf5`` files present (1..n) and of
    those missing from NSD's count for the subject.

    Raises:
        NSDFormatError: No session, a gap, more sessions than NSD has, or
            missing sessions without ``allow_partial``.
    """
    folder = betas_dir(check_root(root), subject)
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
    expected = NUM_SESSIONS[subject - 1]
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


def prepare_command(root: str, subject: int, out_dir: str) -> str:
    """The ``prepare_nsd.py`` command that builds the cache of a subject in
    ``out_dir`` from the raw files present (with ``--allow-partial`` for a
    partial download), as a user types it from the repository's root.

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
