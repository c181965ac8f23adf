"""Padding a batch's brain responses, where the samples are collated.

Each ROI's responses, whose length differs between subjects, are padded to
the longest in the batch. The voxel coordinates are the same for every
sample of a subject, so a batch carries them once per subject.
"""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn.functional as F

ArrayLike = Union[np.ndarray, torch.Tensor]


def pad(arrays: Sequence[ArrayLike]) -> Tuple[torch.Tensor, torch.Tensor]:
    """N arrays (V_i, ...) -> (N, V, ...) zero past each V_i and the (N, V)
    bool mask of the real items, V = max V_i."""
    arrays = [torch.as_tensor(a) for a in arrays]
    lengths = [len(a) for a in arrays]
    mask = torch.arange(max(lengths))[None] < torch.tensor(lengths)[:, None]
    return torch.nn.utils.rnn.pad_sequence(arrays, batch_first=True), mask


def pad_voxels(values: Sequence[ArrayLike],
               coords: Sequence[ArrayLike]) -> Tuple[torch.Tensor, ...]:
    """Pad one ROI's responses of several samples to a common length.

    Args:
        values (Sequence[np.ndarray | Tensor]): N arrays of shape (V_i,).
        coords (Sequence[np.ndarray | Tensor]): N arrays of shape (V_i, 3).

    Returns:
        tuple: (N, V) values and (N, V, 3) coords, zero past each sample's
        V_i, and the (N, V) bool mask of real voxels, V = max V_i.
    """
    padded, mask = pad(values)
    return padded, pad(coords)[0], mask


def pad_rois(
    fmri: Sequence[Sequence[ArrayLike]],
    coords: Sequence[Sequence[ArrayLike]],
    device: Optional[Union[str, torch.device]] = None
) -> Tuple[List[torch.Tensor], List[torch.Tensor], List[torch.Tensor]]:
    """Pad every ROI of a batch with :func:`pad_voxels`.

    Args:
        fmri (Sequence[Sequence[np.ndarray | Tensor]]): per sample, K arrays
            of shape (V_nk,), one per ROI.
        coords (Sequence[Sequence[np.ndarray | Tensor]]): per sample, K
            arrays of shape (V_nk, 3).
        device (str | torch.device, optional): where to put the results.

    Returns:
        tuple: three lists of K tensors, per ROI k: fmri (N, V_k), coords
        (N, V_k, 3) and the bool mask (N, V_k), V_k = max_n V_nk.
    """
    padded = [
        pad_voxels([f[k] for f in fmri], [c[k] for c in coords])
        for k in range(len(fmri[0]))
    ]
    return tuple([t.to(device) for t in part] for part in zip(*padded))


def batch_brain(fmri: Sequence[Sequence[ArrayLike]],
                coords: Sequence[Sequence[ArrayLike]],
                subjects: Sequence[Optional[int]]) -> Dict[str, object]:
    """A batch's brain inputs, coordinates once per subject.

    Args:
        fmri (Sequence[Sequence[np.ndarray | Tensor]]): per sample, K arrays
            (V_nk,).
        coords (Sequence[Sequence[np.ndarray | Tensor]]): per sample, K
            arrays (V_nk, 3), taken to be equal for the samples of a subject
            with equal voxel counts (a subject's voxel set is fixed).
        subjects (Sequence[int | None]): the samples' subjects (None: that
            sample's coordinates are kept apart).

    Returns:
        dict: per ROI k (lists) ``fmri`` (N, V_k) and ``mask`` (N, V_k)
        bool, ``coords`` (S, V_k, 3) of the S distinct subjects, ``rows``
        (N,) long, each sample's row of ``coords``, and ``lengths``, per ROI
        the samples' voxel counts as host ints.
    """
    lengths = tuple(
        tuple(len(f[k]) for f in fmri) for k in range(len(fmri[0])))
    # a subject's voxels are the same in each of its samples (same counts)
    keys = [n if subject is None else (subject, counts)
            for n, (subject, counts) in enumerate(zip(subjects,
                                                      zip(*lengths)))]
    first = {key: n for n, key in reversed(list(enumerate(keys)))}
    distinct = sorted(first.values())
    row_of = {keys[n]: row for row, n in enumerate(distinct)}
    values, xyz, masks = [], [], []
    for k in range(len(lengths)):
        padded, mask = pad([f[k] for f in fmri])
        values.append(padded)
        masks.append(mask)
        table = pad([coords[n][k] for n in distinct])[0]
        xyz.append(F.pad(table, (0, 0, 0, mask.shape[1] - table.shape[1])))
    return dict(fmri=values, mask=masks, coords=xyz, lengths=lengths,
                rows=torch.tensor([row_of[key] for key in keys]))
