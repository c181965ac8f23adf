"""Paths of the raw NSD release, relative to the folder a user downloads.

::

    data_root/
    ├── nsddata/experiments/nsd/
    │   ├── nsd_expdesign.mat
    │   └── nsd_stim_info_merged.csv
    ├── nsddata/ppdata/subj01/func1pt8mm/roi/
    │   └── {prf-visualrois,floc-bodies,floc-faces,floc-places,floc-words,streams}.nii.gz
    ├── nsddata_stimuli/stimuli/nsd/nsd_stimuli.hdf5          (imgBrick)
    └── nsddata_betas/ppdata/subj01/func1pt8mm/betas_fithrf_GLMdenoise_RR/
        ├── betas_session01.hdf5 ... betas_session40.hdf5      (betas, int16)
        └── ncsnr.nii.gz
"""
import os.path as osp

ROI_GROUPS = ('prf-visualrois', 'floc-bodies', 'floc-faces', 'floc-places',
              'floc-words', 'streams')
# sessions recorded per subject (subj01..subj08)
NUM_SESSIONS = (40, 40, 32, 30, 40, 32, 40, 30)
NUM_SUBJECTS = len(NUM_SESSIONS)
BETAS_SCALE = 300.  # betas are stored as int16 of the value x 300


class NSDFormatError(ValueError):
    """A file of the NSD layout is missing or not what the reader expects."""

    def __init__(self, path: str, problem: str):
        super().__init__(f'{path}: {problem}')
        self.path, self.problem = path, problem


def check_subject(subject: int) -> int:
    if not isinstance(subject, int) or not 1 <= subject <= NUM_SUBJECTS:
        raise ValueError(f'unknown NSD subject {subject!r}: subjects are '
                         f'the integers 1..{NUM_SUBJECTS}')
    return subject


def check_rois(rois) -> tuple:
    """The ROI groups asked for, each one of :data:`ROI_GROUPS`."""
    unknown = [r for r in rois if r not in ROI_GROUPS]
    if unknown:
        raise ValueError(f'unknown ROI groups {unknown}; NSD has '
                         f'{list(ROI_GROUPS)}')
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


def roi_path(root: str, subject: int, roi: str) -> str:
    return osp.join(root, 'nsddata', 'ppdata', f'subj{subject:02d}',
                    'func1pt8mm', 'roi', f'{roi}.nii.gz')


def betas_dir(root: str, subject: int) -> str:
    return osp.join(root, 'nsddata_betas', 'ppdata', f'subj{subject:02d}',
                    'func1pt8mm', 'betas_fithrf_GLMdenoise_RR')


def betas_path(root: str, subject: int, session: int) -> str:
    return osp.join(
        betas_dir(root, subject), f'betas_session{session:02d}.hdf5')


def ncsnr_path(root: str, subject: int) -> str:
    return osp.join(betas_dir(root, subject), 'ncsnr.nii.gz')
