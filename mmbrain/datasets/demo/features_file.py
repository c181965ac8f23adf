"""The demo images' own features, beside the stimulus brick: what the
synthetic brains respond to, and what the oracle arm regresses."""
import os.path as osp
from typing import Dict, List

import h5py
import numpy as np

from ..nsd import layout

FEATURES_FILE = 'scene_features.h5'


def features_path(brick: str) -> str:
    """The features file beside the image brick ``brick``."""
    return osp.join(osp.dirname(brick), FEATURES_FILE)


def write_scene_features(root: str, features: List[Dict]) -> str:
    """Per ROI group, the (N, F_k) features of the N images (rows in nsd id
    order), each column standardised over the images as the brains see
    them (:func:`~.responses.voxel_signal`); returns the file."""
    path = features_path(layout.stimuli_path(root))
    with h5py.File(path, 'w') as f:
        for roi in layout.ROI_GROUPS:
            x = np.stack([feats[roi] for feats in features])
            f[roi] = ((x - x.mean(0)) / (x.std(0) + 1e-6)).astype(np.float32)
    return path


def read_scene_features(path: str) -> Dict[str, np.ndarray]:
    """ROI group -> (N, F_k) float32 features; NSDFormatError where the
    file is missing (only the demo NSD has one)."""
    if not osp.isfile(path):
        raise layout.NSDFormatError(
            path, 'no scene features: only the demo NSD has them '
            '(tools/dataset_converters/make_demo_nsd.py writes them beside '
            'the image brick); the oracle arm regresses them')
    with h5py.File(path, 'r') as f:
        missing = [roi for roi in layout.ROI_GROUPS if roi not in f]
        if missing:
            raise layout.NSDFormatError(path, f'no features of {missing}')
        return {roi: f[roi][()] for roi in layout.ROI_GROUPS}
