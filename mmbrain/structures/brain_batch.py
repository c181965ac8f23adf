"""Padding a batch's brain responses: the one place where it happens.

Each ROI's responses, whose length differs between subjects, are padded to
the longest in the batch. The voxel coordinates are the same for every
sample of a subject, so a batch carries them once per subject, and the
encoders gather them by each sample's row.
"""
from typing import Dict, Optional, Sequence, Tuple, Union

import numpy as np
import torch

ArrayLike = Union[np.ndarray, torch.Tensor]


def pad(arrays: Sequence[ArrayLike]) -> Tuple[torch.Tensor, torch.Tensor]:
    """N arrays (V_i, ...) -> (N, V, ...) zero past each V_i and the (N, V)
    bool mask of the real items, V = max V_i."""
    arrays = [torch.as_tensor(a) for a in arrays]
    lengths = [len(a) for a in arrays]
    mask = torch.arange(max(lengths))[None] < torch.tensor(lengths)[:, None]
    return torch.nn.utils.rnn.pad_sequence(arrays, batch_first=True), mask


def batch_brain(
    fmri: Sequence[Sequence[ArrayLike]],
    coords: Sequence[Sequence[ArrayLike]],
    subjects: Optional[Sequence[Optional[int]]] = None
) -> Dict[str, object]:
    """A batch's brain inputs, coordinates once per subject.

    Args:
        fmri (Sequence[Sequence[np.ndarray | Tensor]]): per sample, K arrays
            (V_nk,).
        coords (Sequence[Sequence[np.ndarray | Tensor]]): per sample, K
            arrays (V_nk, 3), taken to be equal for the samples of a subject
            with equal voxel counts (a subject's voxel set is fixed).
        subjects (Sequence[int | None], optional): the samples' subjects
            (None: that sample's coordinates are kept apart). Defaults to
            None, every sample apart.

    Returns:
        dict: the keyword inputs of a brain encoder: per ROI k (lists)
        ``fmri`` (N, V_k), zero past each sample's voxels, ``mask`` (N, V_k)
        bool, ``coords`` (S, V_k, 3) of the S distinct subjects, zero past
        their voxels; ``rows`` (N,) long, each sample's row of ``coords``;
        ``lengths``, per ROI the samples' voxel counts as host ints.
    """
    if subjects is None:
        subjects = [None] * len(fmri)
    lengths = tuple(
        tuple(len(f[k]) for f in fmri) for k in range(len(fmri[0])))
    # a subject's voxels are the same in each of its samples (same counts)
    keys = [n if subject is None else (subject, counts)
            for n, (subject, counts) in enumerate(zip(subjects,
                                                      zip(*lengths)))]
    first = {key: n for n, key in reversed(list(enumerate(keys)))}
    distinct = sorted(first.values())
    row_of = {keys[n]: row for row, n in enumerate(distinct)}
    values, tables, masks = [], [], []
    for k in range(len(lengths)):
        padded, mask = pad([f[k] for f in fmri])
        values.append(padded)
        masks.append(mask)
        # the longest sample's subject is among them: V_k wide too
        tables.append(pad([coords[n][k] for n in distinct])[0])
    return dict(fmri=values, mask=masks, coords=tables, lengths=lengths,
                rows=torch.tensor([row_of[key] for key in keys]))
