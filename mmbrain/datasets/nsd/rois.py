"""ROI masks (``roi/<mask>.nii.gz``): voxel indices, 3D coordinates and
labels, and the label tables that name them (``<mask>.mgz.ctab``)."""
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, Optional, Sequence, Tuple

import nibabel as nib
import numpy as np
from nibabel.affines import apply_affine

from .layout import NSDFormatError, require_file


@dataclass
class ROIVoxels:
    """The voxels of one ROI of one subject.

    Attributes:
        ijk (np.ndarray): (V, 3) int64 NIfTI voxel indices, in C order of the
            volume (the order of the 1D signal the encoder reads).
        coords (np.ndarray): (V, 3) float32 positions in mm through the
            NIfTI affine.
        volume_shape (tuple): (X, Y, Z) of the NIfTI volume.
        affine (np.ndarray): (4, 4) its voxel-to-mm affine.
        labels (np.ndarray): (V,) int64 label of each voxel in the mask.
        label_names (dict): label -> its name in the label table (the
            number as a str where there is no table).
    """
    ijk: np.ndarray
    coords: np.ndarray
    volume_shape: Tuple[int, int, int]
    affine: np.ndarray
    labels: np.ndarray = None
    label_names: Dict[int, str] = field(default_factory=dict)


def load_volume(path: str, shape: Tuple[int, int, int]) -> np.ndarray:
    """A 3D NIfTI volume (e.g. ``ncsnr.nii.gz``) of the given shape."""
    require_file(path)
    try:
        data = np.asarray(nib.load(path).dataobj)
    except Exception as e:  # nibabel raises several types for a bad file
        raise NSDFormatError(path, f'not a readable NIfTI file ({e})') from e
    if data.shape != tuple(shape):
        raise NSDFormatError(
            path, f'volume shape {data.shape}, the ROI masks have {shape}')
    return data


def load_label_table(path: str) -> Dict[int, str]:
    """The label names of a FreeSurfer colour table as NSD ships it
    (``<mask>.mgz.ctab``): one label per line, ``number name [r g b a]``;
    ``#`` starts a comment.

    Raises:
        NSDFormatError: Naming the file and its bad line.
    """
    require_file(path)
    table = {}
    with open(path, encoding='utf-8') as f:
        for number, line in enumerate(f, 1):
            fields = line.split('#', 1)[0].split()
            if not fields:
                continue
            if len(fields) < 2 or not fields[0].lstrip('-').isdigit():
                raise NSDFormatError(
                    path, f'line {number} is not "<label> <name> ...": '
                    f'{line.strip()!r}')
            table[int(fields[0])] = fields[1]
    return table


def select_labels(present: np.ndarray, table: Dict[int, str],
                  areas: Sequence[str], mask_path: str,
                  table_path: str) -> np.ndarray:
    """The label numbers of ``areas`` (names of ``table`` or numbers).

    Raises:
        NSDFormatError: An area that is neither, or has no voxel.
    """
    names = {name: n for n, name in table.items() if n > 0}
    chosen = []
    for area in areas:
        if area in names:
            chosen.append(names[area])
        elif area.isdigit():
            chosen.append(int(area))
        else:
            where = (f'the labels of {table_path} are {list(names)}'
                     if table else f'there is no label table {table_path}')
            raise NSDFormatError(
                mask_path, f'no label {area!r}: {where} (or give label '
                'numbers)')
        if chosen[-1] not in present:
            raise NSDFormatError(
                mask_path, f'label {area!r} ({chosen[-1]}) has no voxel; '
                f'the mask has labels {sorted(present.tolist())}')
    return np.array(chosen)


def load_roi_voxels(path: str,
                    areas: Optional[Sequence[str]] = None,
                    table_path: Optional[str] = None) -> ROIVoxels:
    """Voxels labelled > 0 in an NSD ROI mask (0 and -1 are outside), or
    only those of some labels.

    Args:
        path (str): ``roi/<mask>.nii.gz``.
        areas (Sequence[str], optional): Labels to keep, by name or number.
            Defaults to None (every label > 0).
        table_path (str, optional): The mask's ``.mgz.ctab``, read when
            it exists; it names the labels.
    """
    require_file(path)
    try:
        img = nib.load(path)
        labels = np.asarray(img.dataobj)
    except Exception as e:  # nibabel raises several types for a bad file
        raise NSDFormatError(path, f'not a readable NIfTI file ({e})') from e
    if labels.ndim != 3:
        raise NSDFormatError(
            path, f'ROI mask must be a 3D volume, got shape {labels.shape}')
    if not np.issubdtype(labels.dtype, np.integer) and not np.all(
            labels == np.round(labels)):
        raise NSDFormatError(path, 'ROI labels must be integers')
    labels = labels.astype(np.int64)
    inside = labels > 0
    if not inside.any():
        raise NSDFormatError(path, 'the ROI mask has no voxel labelled > 0')
    table = (load_label_table(table_path) if table_path is not None
             and osp.isfile(table_path) else {})
    if areas is not None:
        inside = np.isin(labels, select_labels(
            np.unique(labels[inside]), table, areas, path, table_path))
    ijk = np.argwhere(inside).astype(np.int64)
    coords = apply_affine(img.affine, ijk).astype(np.float32)
    voxel_labels = labels[inside]  # C order, as ijk
    names = {int(n): table.get(int(n), str(n))
             for n in np.unique(voxel_labels)}
    return ROIVoxels(ijk, coords, tuple(int(s) for s in labels.shape),
                     np.asarray(img.affine, dtype=np.float64), voxel_labels,
                     names)
