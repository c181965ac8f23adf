"""ROI masks (``roi/<group>.nii.gz``): voxel indices and 3D coordinates."""
from dataclasses import dataclass
from typing import Tuple

import nibabel as nib
import numpy as np
from nibabel.affines import apply_affine

from .layout import NSDFormatError, require_file


@dataclass
class ROIVoxels:
    """The voxels of one ROI group of one subject.

    Attributes:
        ijk (np.ndarray): (V, 3) int64 NIfTI voxel indices, in C order of the
            volume (the order of the 1D signal the encoder reads).
        coords (np.ndarray): (V, 3) float32 positions in mm through the
            NIfTI affine.
        volume_shape (tuple): (X, Y, Z) of the NIfTI volume.
        affine (np.ndarray): (4, 4) its voxel-to-mm affine.
    """
    ijk: np.ndarray
    coords: np.ndarray
    volume_shape: Tuple[int, int, int]
    affine: np.ndarray


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


def load_roi_voxels(path: str) -> ROIVoxels:
    """Voxels labelled > 0 in an NSD ROI mask (0 and -1 are outside)."""
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
    ijk = np.argwhere(labels > 0).astype(np.int64)
    if len(ijk) == 0:
        raise NSDFormatError(path, 'the ROI mask has no voxel labelled > 0')
    coords = apply_affine(img.affine, ijk).astype(np.float32)
    return ROIVoxels(ijk, coords, tuple(int(s) for s in labels.shape),
                     np.asarray(img.affine, dtype=np.float64))
