"""The demo images' own features, beside the stimulus brick: what the
synthetic brains respond to, and what the oracle arm regresses, written as
target vectors (:mod:`..nsd.target_vectors`: one (N, F_k) dataset per ROI
group, rows in nsdId order) for ``LoadTargetVectors(file=FEATURES_FILE)``."""
import os.path as osp
from typing import Dict, List

import numpy as np

from ..nsd import layout
from ..nsd.target_vectors import write_target_vectors

FEATURES_FILE = 'scene_features.h5'


def features_path(brick: str) -> str:
    """The features file beside the image brick ``brick``."""
    return osp.join(osp.dirname(brick), FEATURES_FILE)


def write_scene_features(root: str, features: List[Dict]) -> str:
    """Per ROI group, the (N, F_k) features of the N images (rows in nsd id
    order), each column standardised over the images as the brains see
    them (:func:`~.responses.voxel_signal`), float32; returns the file."""
    vectors = {}
    for roi in layout.ROI_GROUPS:
        x = np.stack([feats[roi] for feats in features])
        vectors[roi] = ((x - x.mean(0)) / (x.std(0) + 1e-6)).astype(
            np.float32)
    return write_target_vectors(features_path(layout.stimuli_path(root)),
                                vectors)
