"""A hand-built NSD of two subjects, in the real layout, for the tests.

Each subject sees 4 images twice over 2 sessions of 4 trials; the volume is
3 x 2 x 2 voxels with two ROI groups.
"""
import csv
import os
import os.path as osp

import h5py
import nibabel as nib
import numpy as np
import scipy.io

from mmbrain.datasets.nsd import layout

ROIS = ('prf-visualrois', 'floc-faces')
ROI_IJK = {
    'prf-visualrois': [(0, 0, 0), (1, 0, 0), (2, 1, 1)],
    'floc-faces': [(0, 1, 1), (1, 0, 0)],
}
SHAPE = (3, 2, 2)
AFFINE = np.array([[0, 2, 0, 1], [1, 0, 0, 2], [0, 0, 3, 4], [0, 0, 0, 1.]])
MASTERORDERING = [1, 2, 1, 3, 4, 2, 3, 4]  # 1-based columns of subjectim
SUBJECTIM = [[1, 2, 3, 4], [1, 2, 5, 6]]  # 1-based nsdIds
NUM_IMAGES = 7
TRIALS = 4


def stored_betas(subject, session):
    """(T, Z, Y, X) int16 as on disk; voxel (2, 1, 1) is constant in
    session 2 of every subject."""
    rng = np.random.default_rng([subject, session])
    data = rng.integers(-900, 900, (TRIALS, ) + SHAPE[::-1]).astype(np.int16)
    if session == 2:
        data[:, 1, 1, 2] = 7
    return data


def build_mini_nsd(root, subjects=(1, 2)):
    root = str(root)
    for path in (layout.expdesign_path(root), layout.stimuli_path(root)):
        os.makedirs(osp.dirname(path), exist_ok=True)
    scipy.io.savemat(
        layout.expdesign_path(root),
        dict(
            masterordering=np.array([MASTERORDERING]),
            subjectim=np.array(SUBJECTIM),
            sharedix=np.array([[1, 2]])))
    with open(layout.stim_info_path(root), 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(['', 'cocoId', 'cocoSplit', 'nsdId', 'shared1000'])
        for i in range(NUM_IMAGES):
            writer.writerow([i, 1000 + i, 'train2017', i, i < 2])
    with h5py.File(layout.stimuli_path(root), 'w') as f:
        f['imgBrick'] = np.arange(
            NUM_IMAGES * 4 * 4 * 3, dtype=np.int64).reshape(
                NUM_IMAGES, 4, 4, 3).astype(np.uint8)
    for subject in subjects:
        for roi, ijk in ROI_IJK.items():
            labels = np.zeros(SHAPE, dtype=np.int32)
            for i, j, k in ijk:
                labels[i, j, k] = 1
            path = layout.roi_path(root, subject, roi)
            os.makedirs(osp.dirname(path), exist_ok=True)
            nib.save(nib.Nifti1Image(labels, AFFINE), path)
        os.makedirs(layout.betas_dir(root, subject), exist_ok=True)
        for session in (1, 2):
            with h5py.File(layout.betas_path(root, subject, session),
                           'w') as f:
                f['betas'] = stored_betas(subject, session)
    return root


def expected_responses(subject, ijk):
    """Mean over repeats of per-session z-scores, computed by hand."""
    per_image = {}
    for session in (1, 2):
        stored = stored_betas(subject, session)
        for v, (i, j, k) in enumerate(ijk):
            series = [stored[t, k, j, i] / 300 for t in range(TRIALS)]
            mean = sum(series) / TRIALS
            std = (sum((b - mean)**2 for b in series) / TRIALS)**0.5
            for t in range(TRIALS):
                trial = (session - 1) * TRIALS + t
                nsd_id = SUBJECTIM[subject - 1][MASTERORDERING[trial] - 1] - 1
                per_image.setdefault(nsd_id, [[] for _ in ijk])[v].append(
                    (series[t] - mean) / std)
    ids = sorted(per_image)
    return ids, np.array([[sum(z) / len(z) for z in per_image[n]]
                          for n in ids])
