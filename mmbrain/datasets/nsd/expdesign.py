"""``nsd_expdesign.mat``: which image each trial showed."""
from dataclasses import dataclass

import numpy as np
import scipy.io

from .layout import NSDFormatError, check_subject, require_file


@dataclass
class ExpDesign:
    """The experiment design, converted to 0-based indices.

    Attributes:
        masterordering (np.ndarray): (T,) per trial, the column of
            ``subjectim`` shown (0-based).
        subjectim (np.ndarray): (8, N) per subject, the nsdIds it saw
            (0-based); the first ``len(sharedix)`` are shared by all.
        sharedix (np.ndarray): (S,) nsdIds of the shared images (0-based).
    """
    masterordering: np.ndarray
    subjectim: np.ndarray
    sharedix: np.ndarray

    def trial_nsd_ids(self, subject: int) -> np.ndarray:
        """(T,) the 0-based nsdId of every trial of ``subject`` (1-based):
        ``subjectim[s-1, masterordering[t]-1] - 1`` on the 1-based file."""
        check_subject(subject)
        if subject > self.subjectim.shape[0]:
            raise ValueError(f'subject {subject} is not in the design '
                             f'({self.subjectim.shape[0]} subjects)')
        return self.subjectim[subject - 1, self.masterordering]


def load_expdesign(path: str) -> ExpDesign:
    """Read ``nsd_expdesign.mat`` (MATLAB v5; all indices 1-based on disk)."""
    require_file(path)
    try:
        mat = scipy.io.loadmat(path)
    except Exception as e:  # scipy raises several types for a bad file
        raise NSDFormatError(path, f'not a readable .mat file ({e})') from e
    fields = {}
    for key in ('masterordering', 'subjectim', 'sharedix'):
        if key not in mat:
            raise NSDFormatError(path, f'variable {key!r} is missing')
        value = np.asarray(mat[key])
        if not np.issubdtype(value.dtype, np.number):
            raise NSDFormatError(path, f'{key!r} is not numeric')
        if value.size and value.min() < 1:
            raise NSDFormatError(path, f'{key!r} holds values < 1; NSD '
                                 'indices are 1-based')
        fields[key] = value.astype(np.int64) - 1
    subjectim = fields['subjectim']
    if subjectim.ndim != 2:
        raise NSDFormatError(
            path, f"'subjectim' must be (subjects, images), got "
            f'shape {subjectim.shape}')
    order = fields['masterordering'].ravel()
    if order.max() >= subjectim.shape[1]:
        raise NSDFormatError(
            path, f"'masterordering' points past the {subjectim.shape[1]} "
            "columns of 'subjectim'")
    return ExpDesign(order, subjectim, fields['sharedix'].ravel())
