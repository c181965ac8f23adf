"""A small, learnable NSD written in the real on-disk layout.

The images are synthetic scenes (sky, ground, and up to four non-overlapping
objects of four COCO categories) and every voxel's response is computed from
the image content, with a feature family per ROI group, plus trial noise and a
per-session drift:

=================  ==========================================================
ROI group          what its voxels respond to
=================  ==========================================================
prf-visualrois     local contrast in a population receptive field whose
                   centre in the image follows the voxel's position
floc-bodies        area of ``person`` objects per image quadrant
floc-faces         area of face-like ``clock`` objects per quadrant
floc-places        horizon height and sky/ground colour
floc-words         area of striped ``stop sign`` objects per quadrant
streams            area of every category, and the mean colour
=================  ==========================================================

Each voxel weighs its ROI's features with weights that vary smoothly with its
3D position, as neighbouring cortex does. Everything follows from ``seed``.

For the downstream tasks, ``num_downstream`` more scenes that NSD never shows
are drawn. ``coco/`` holds all images in the COCO layout (instances json
with boxes and polygons; the NSD images' ids are the stimulus table's
``cocoId`` s, so ``tools/dataset_converters/coco_exclude_nsd.py`` leaves the
others), and ``ade20k/`` holds the others in the ADE20K layout (``images/``
jpg and ``annotations/`` png label maps of sky, earth and the objects).
"""
import csv
import json
import os
import os.path as osp
import shutil
from dataclasses import asdict, dataclass
from typing import Dict, List, Tuple

import cv2
import h5py
import nibabel as nib
import numpy as np
import scipy.io
from nibabel.affines import apply_affine

from ..nsd import layout

# (COCO id, name) of the drawn categories, and the ROI each one drives
CATEGORIES = ((1, 'person'), (85, 'clock'), (13, 'stop sign'), (3, 'car'))
CATEGORY_ROI = {'person': 'floc-bodies', 'clock': 'floc-faces',
                'stop sign': 'floc-words'}


@dataclass
class DemoSpec:
    """Sizes of the demo NSD. Each subject sees ``num_shared + num_own``
    images ``repeats`` times, over ``sessions`` sessions."""
    seed: int = 0
    num_subjects: int = 3
    num_shared: int = 50
    num_own: int = 250
    num_unseen: int = 20
    repeats: int = 3
    sessions: int = 3
    image_size: int = 96
    noise: float = 1.0
    num_downstream: int = 200

    @property
    def images_per_subject(self) -> int:
        return self.num_shared + self.num_own

    @property
    def num_images(self) -> int:
        return (self.num_shared + self.num_subjects * self.num_own +
                self.num_unseen)

    @property
    def trials_per_session(self) -> int:
        total = self.images_per_subject * self.repeats
        if total % self.sessions:
            raise ValueError(f'{total} trials do not split into '
                             f'{self.sessions} equal sessions')
        return total // self.sessions


# --------------------------------------------------------------- images
def _polygon(name: str, cx: float, cy: float, r: float) -> np.ndarray:
    """(P, 2) outline of an object of category ``name``."""
    t = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    if name == 'person':  # a tall ellipse (body)
        pts = np.stack([cx + 0.45 * r * np.cos(t), cy + r * np.sin(t)], 1)
    elif name == 'clock':  # a disk (face)
        pts = np.stack([cx + r * np.cos(t), cy + r * np.sin(t)], 1)
    elif name == 'stop sign':  # an octagon
        t = np.linspace(0, 2 * np.pi, 8, endpoint=False) + np.pi / 8
        pts = np.stack([cx + r * np.cos(t), cy + r * np.sin(t)], 1)
    else:  # car: a wide box
        pts = np.array([[cx - r, cy - 0.5 * r], [cx + r, cy - 0.5 * r],
                        [cx + r, cy + 0.5 * r], [cx - r, cy + 0.5 * r]])
    return pts.astype(np.float32)


def draw_scene(rng: np.random.Generator, size: int) -> Tuple[np.ndarray, Dict]:
    """One synthetic scene.

    Returns:
        tuple: (size, size, 3) uint8 RGB image, and a dict with ``horizon``
        (fraction of the height), ``sky``/``ground`` colours and ``objects``
        (category name and (P, 2) polygon each).
    """
    horizon = rng.uniform(0.3, 0.7)
    sky, ground = rng.uniform(60, 230, 3), rng.uniform(30, 200, 3)
    img = np.empty((size, size, 3), dtype=np.float32)
    img[:int(horizon * size)] = sky
    img[int(horizon * size):] = ground
    img += rng.normal(0, 6, img.shape)  # texture
    img = np.clip(img, 0, 255).astype(np.uint8)
    objects = []
    half = size / 2
    cells = rng.permutation(4)[:rng.integers(1, 5)]
    for cell in cells:
        name = CATEGORIES[rng.integers(len(CATEGORIES))][1]
        r = rng.uniform(0.18, 0.4) * half
        cx = (cell % 2) * half + rng.uniform(r, half - r)
        cy = (cell // 2) * half + rng.uniform(r, half - r)
        poly = _polygon(name, cx, cy, r)
        color = tuple(int(c) for c in rng.uniform(0, 255, 3))
        cv2.fillPoly(img, [np.round(poly).astype(np.int32)], color)
        if name == 'clock':  # eyes and mouth
            for dx in (-0.35, 0.35):
                cv2.circle(img, (int(cx + dx * r), int(cy - 0.2 * r)),
                           max(1, int(0.12 * r)), (0, 0, 0), -1)
            cv2.line(img, (int(cx - 0.4 * r), int(cy + 0.4 * r)),
                     (int(cx + 0.4 * r), int(cy + 0.4 * r)), (0, 0, 0), 1)
        elif name == 'stop sign':  # white text-like stripes
            for dy in (-0.3, 0, 0.3):
                y = int(cy + dy * r)
                cv2.line(img, (int(cx - 0.5 * r), y), (int(cx + 0.5 * r), y),
                         (255, 255, 255), 1)
        objects.append(dict(name=name, polygon=poly))
    return img, dict(horizon=horizon, sky=sky, ground=ground, objects=objects)


def _object_area(poly: np.ndarray, size: int) -> np.ndarray:
    """(2, 2) fraction of each image quadrant the polygon covers."""
    mask = np.zeros((size, size), dtype=np.uint8)
    cv2.fillPoly(mask, [np.round(poly).astype(np.int32)], 1)
    h = size // 2
    return mask.reshape(2, h, 2, h).mean(axis=(1, 3))


def scene_features(img: np.ndarray, scene: Dict) -> Dict[str, np.ndarray]:
    """The feature vector each ROI group responds to (see module doc)."""
    size = img.shape[0]
    areas = {name: np.zeros((2, 2)) for _, name in CATEGORIES}
    for obj in scene['objects']:
        areas[obj['name']] += _object_area(obj['polygon'], size)
    gray = img.astype(np.float32).mean(axis=2) / 255
    contrast = np.abs(gray - gray.mean())
    grid = 8
    feats = {
        # (grid*grid,) contrast energy on a grid; voxels pick a location
        'prf-visualrois': contrast.reshape(grid, size // grid, grid,
                                           size // grid).mean(axis=(1, 3))
        .ravel(),
        'floc-places': np.concatenate(
            [[scene['horizon']], scene['sky'] / 255, scene['ground'] / 255]),
        'streams': np.concatenate(
            [[a.sum() for a in areas.values()], img.mean(axis=(0, 1)) / 255]),
    }
    for name, roi in CATEGORY_ROI.items():
        feats[roi] = areas[name].ravel()
    return {k: np.asarray(v, dtype=np.float64) for k, v in feats.items()}


def label_map(scene: Dict, size: int, labels: Dict[str, int]) -> np.ndarray:
    """(size, size) uint8 map of the scene's regions, drawn as
    :func:`draw_scene` paints them; ``labels`` maps ``sky``, ``ground`` and
    the category names to values."""
    out = np.full((size, size), labels['ground'], dtype=np.uint8)
    out[:int(scene['horizon'] * size)] = labels['sky']
    for obj in scene['objects']:
        cv2.fillPoly(out, [np.round(obj['polygon']).astype(np.int32)],
                     labels[obj['name']])
    return out


# --------------------------------------------------------------- brains
def _subject_volume(rng: np.random.Generator, subject: int):
    """A small brain volume with the six ROI groups as labelled blobs.

    Returns:
        tuple: (X, Y, Z) shape, (4, 4) affine, dict ROI -> int32 label
        volume (-1 outside the brain, 0 unlabelled, > 0 in the ROI).
    """
    shape = (18 + subject, 22 + (subject % 3), 16 + (subject % 2))
    affine = np.array([[-1.8, 0, 0, 0.9 * shape[0]],
                       [0, 1.8, 0, -0.9 * shape[1] - 10],
                       [0, 0, 1.8, -0.9 * shape[2] + 5], [0, 0, 0, 1.]])
    ijk = np.indices(shape).reshape(3, -1).T
    centre = (np.array(shape) - 1) / 2
    inside = (((ijk - centre) / (np.array(shape) / 2))**2).sum(1) <= 1.0
    labels = {}
    for k, roi in enumerate(layout.ROI_GROUPS):
        c = centre + rng.uniform(-0.3, 0.3, 3) * np.array(shape)
        radius = rng.uniform(2.5, 4.0, 3) * (2.0 if roi in (
            'prf-visualrois', 'streams') else 1.0)
        blob = (((ijk - c) / radius)**2).sum(1) <= 1.0
        vol = np.where(inside, 0, -1)
        vol[blob & inside] = 1 + (ijk[blob & inside, 2] % 3)  # sub-areas
        labels[roi] = vol.reshape(shape).astype(np.int32)
    return shape, affine, labels


def _smooth_weights(coords: np.ndarray, dim: int,
                    rng: np.random.Generator) -> np.ndarray:
    """(V, dim) weights that vary smoothly with voxel position (mm)."""
    freqs = rng.normal(0, 1 / 12, (3, 16))
    phases = rng.uniform(0, 2 * np.pi, 16)
    basis = np.cos(coords @ freqs + phases)  # (V, 16)
    return basis @ rng.normal(0, 1, (16, dim)) / 4 + rng.normal(
        0, 0.3, (len(coords), dim))


def _prf_weights(coords: np.ndarray, grid: int = 8) -> np.ndarray:
    """(V, grid*grid) Gaussian receptive fields: the voxel's (y, z) position
    in the volume maps to the field's centre in the image."""
    lo, hi = coords.min(0), coords.max(0)
    pos = (coords - lo) / np.maximum(hi - lo, 1e-6) * (grid - 1)
    gy, gx = np.mgrid[0:grid, 0:grid]
    d2 = (gx.ravel()[None] - pos[:, 1:2])**2 + (gy.ravel()[None] -
                                               pos[:, 2:3])**2
    return 3 * np.exp(-d2 / 2)


# --------------------------------------------------------------- writer
def _write_stim_info(path: str, spec: DemoSpec, coco_ids: np.ndarray,
                     coco_split: List[str], subjectim: np.ndarray,
                     order: np.ndarray):
    """The columns of the real ``nsd_stim_info_merged.csv``."""
    n = spec.num_images
    header = ['', 'cocoId', 'cocoSplit', 'cropBox', 'loss', 'nsdId',
              'flagged', 'BOLD5000', 'shared1000']
    header += [f'subject{s}' for s in range(1, 9)]
    header += [f'subject{s}_rep{r}' for s in range(1, 9) for r in range(3)]
    # 1-based trial numbers of each image's repeats, per subject
    reps = np.zeros((8, n, 3), dtype=np.int64)
    for s in range(spec.num_subjects):
        for trial, column in enumerate(order):
            nsd_id = subjectim[s, column]
            slot = np.argmax(reps[s, nsd_id] == 0)
            reps[s, nsd_id, slot] = trial + 1
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for i in range(n):
            row = [i, int(coco_ids[i]), coco_split[i], '(0, 0, 0, 0)', 0.0, i,
                   False, False, i < spec.num_shared]
            row += [int(reps[s, i, 0] > 0) for s in range(8)]
            row += [int(reps[s, i, r]) for s in range(8) for r in range(3)]
            writer.writerow(row)


def _write_coco(out: str, images: np.ndarray, scenes: List[Dict],
                coco_ids: np.ndarray, coco_split: List[str]) -> Dict:
    """COCO instances json per split, and the images as jpg files."""
    summary = {}
    for split in ('train2017', 'val2017'):
        os.makedirs(osp.join(out, split), exist_ok=True)
        entries, anns = [], []
        for i in np.flatnonzero(np.array(coco_split) == split):
            file_name = f'{coco_ids[i]:012d}.jpg'
            cv2.imwrite(
                osp.join(out, split, file_name),
                cv2.cvtColor(images[i], cv2.COLOR_RGB2BGR),
                [cv2.IMWRITE_JPEG_QUALITY, 95])
            h, w = images[i].shape[:2]
            entries.append(
                dict(id=int(coco_ids[i]), file_name=file_name, height=h,
                     width=w))
            for obj in scenes[i]['objects']:
                poly = obj['polygon']
                x0, y0 = poly.min(0)
                x1, y1 = poly.max(0)
                anns.append(
                    dict(
                        id=len(anns) + 1,
                        image_id=int(coco_ids[i]),
                        category_id=dict(
                            (n, c) for c, n in CATEGORIES)[obj['name']],
                        segmentation=[poly.ravel().round(2).tolist()],
                        area=float(cv2.contourArea(poly)),
                        bbox=[float(x0), float(y0), float(x1 - x0),
                              float(y1 - y0)],
                        iscrowd=0))
        categories = [
            dict(id=c, name=n, supercategory='demo')
            for c, n in sorted(CATEGORIES)
        ]
        os.makedirs(osp.join(out, 'annotations'), exist_ok=True)
        with open(osp.join(out, 'annotations', f'instances_{split}.json'),
                  'w') as f:
            json.dump(
                dict(images=entries, annotations=anns,
                     categories=categories), f)
        summary[split] = dict(images=len(entries), annotations=len(anns))
    return summary


# ADE20K class of each region (png values are 1 + the index in its 150
# classes; 0 is "other")
ADE20K_CLASS = {'sky': 'sky', 'ground': 'earth', 'person': 'person',
                'clock': 'clock', 'stop sign': 'signboard', 'car': 'car'}


def _write_ade20k(out: str, images: np.ndarray, scenes: List[Dict],
                  split: List[str]) -> Dict:
    """``images/{training,validation}/ADE_*.jpg`` and the label maps in
    ``annotations/``, as ADE20K ships them."""
    from mmseg.datasets import ADE20KDataset
    classes = ADE20KDataset.METAINFO['classes']
    labels = {k: classes.index(v) + 1 for k, v in ADE20K_CLASS.items()}
    summary = {}
    for coco_split, ade_split, tag in (('train2017', 'training', 'train'),
                                       ('val2017', 'validation', 'val')):
        index = np.flatnonzero(np.array(split) == coco_split)
        for folder in ('images', 'annotations'):
            # mmseg lists the folder: no file of an earlier demo may stay
            shutil.rmtree(osp.join(out, folder, ade_split), ignore_errors=True)
            os.makedirs(osp.join(out, folder, ade_split))
        for k, i in enumerate(index):
            name = f'ADE_{tag}_{k + 1:08d}'
            cv2.imwrite(
                osp.join(out, 'images', ade_split, name + '.jpg'),
                cv2.cvtColor(images[i], cv2.COLOR_RGB2BGR),
                [cv2.IMWRITE_JPEG_QUALITY, 95])
            cv2.imwrite(
                osp.join(out, 'annotations', ade_split, name + '.png'),
                label_map(scenes[i], images.shape[1], labels))
        summary[ade_split] = len(index)
    return summary


def make_demo_nsd(out_root: str, spec: DemoSpec = DemoSpec()) -> Dict:
    """Write the demo NSD under ``out_root`` (layout of :mod:`.layout`),
    plus ``coco/`` and ``ade20k/``; returns a summary. Deterministic in
    ``spec.seed``."""
    rng = np.random.default_rng(spec.seed)
    n, size = spec.num_images, spec.image_size

    scenes, images = [], np.empty((n, size, size, 3), dtype=np.uint8)
    for i in range(n):
        images[i], scene = draw_scene(rng, size)
        scenes.append(scene)
    features = [scene_features(img, sc) for img, sc in zip(images, scenes)]

    stim_file = layout.stimuli_path(out_root)
    os.makedirs(osp.dirname(stim_file), exist_ok=True)
    with h5py.File(stim_file, 'w') as f:
        f.create_dataset('imgBrick', data=images, chunks=(1, size, size, 3))

    # experiment design (1-based on disk); image columns are shown
    # `repeats` times in one shared random order, as in NSD
    shared = np.arange(spec.num_shared)
    subjectim = np.stack([
        np.concatenate([
            shared, spec.num_shared + s * spec.num_own +
            np.arange(spec.num_own)
        ]) for s in range(spec.num_subjects)
    ])
    order = rng.permutation(
        np.tile(np.arange(spec.images_per_subject), spec.repeats))
    design_dir = osp.dirname(layout.expdesign_path(out_root))
    os.makedirs(design_dir, exist_ok=True)
    scipy.io.savemat(
        layout.expdesign_path(out_root),
        dict(
            masterordering=(order + 1)[None].astype(np.float64),
            subjectim=(subjectim + 1).astype(np.float64),
            sharedix=(shared + 1)[None].astype(np.float64)))

    coco_ids = 100000 + rng.choice(900000, n, replace=False)
    coco_split = ['val2017' if rng.random() < 0.2 else 'train2017'
                  for _ in range(n)]
    _write_stim_info(layout.stim_info_path(out_root), spec, coco_ids,
                     coco_split, subjectim, order)

    summary = dict(spec=asdict(spec), subjects={})
    for subject in range(1, spec.num_subjects + 1):
        summary['subjects'][subject] = _write_subject(
            out_root, subject, spec, features, subjectim[subject - 1], order)
    # scenes NSD never shows, from their own stream so that the NSD part
    # does not depend on how many there are
    rng = np.random.default_rng([spec.seed, 1])
    extra = [draw_scene(rng, size) for _ in range(spec.num_downstream)]
    extra_images = np.array([img for img, _ in extra]).reshape(-1, size,
                                                                size, 3)
    extra_scenes = [scene for _, scene in extra]
    free = np.setdiff1d(np.arange(100000, 1000000), coco_ids)
    extra_ids = rng.choice(free, spec.num_downstream, replace=False)
    extra_split = ['val2017' if rng.random() < 0.2 else 'train2017'
                   for _ in extra]
    summary['coco'] = _write_coco(
        osp.join(out_root, 'coco'), np.concatenate([images, extra_images]),
        scenes + extra_scenes, np.concatenate([coco_ids, extra_ids]),
        coco_split + extra_split)
    summary['ade20k'] = _write_ade20k(
        osp.join(out_root, 'ade20k'), extra_images, extra_scenes,
        extra_split)
    with open(osp.join(out_root, 'demo_summary.json'), 'w') as f:
        json.dump(summary, f, indent=2)
    return summary


def _write_subject(root: str, subject: int, spec: DemoSpec,
                   features: List[Dict], subjectim: np.ndarray,
                   order: np.ndarray) -> Dict:
    rng = np.random.default_rng([spec.seed, subject])
    shape, affine, labels = _subject_volume(rng, subject)
    brain = labels[layout.ROI_GROUPS[0]] >= 0
    # signal per image for every brain voxel; voxels in no ROI respond to
    # nothing, as in a real brain outside visual cortex
    signal = np.zeros((len(features), ) + shape, dtype=np.float64)
    for roi in layout.ROI_GROUPS:
        path = layout.roi_path(root, subject, roi)
        os.makedirs(osp.dirname(path), exist_ok=True)
        nib.save(nib.Nifti1Image(labels[roi], affine), path)
        ijk = np.argwhere(labels[roi] > 0)
        coords = apply_affine(affine, ijk)
        feats = np.stack([f[roi] for f in features])  # (N, F)
        feats = (feats - feats.mean(0)) / (feats.std(0) + 1e-6)
        weights = (_prf_weights(coords) if roi == 'prf-visualrois' else
                   _smooth_weights(coords, feats.shape[1], rng))
        signal[:, ijk[:, 0], ijk[:, 1], ijk[:, 2]] += feats @ weights.T
    # a few dead voxels inside the ROIs: constant 0, to be dropped
    roi_any = np.argwhere(
        np.any([labels[r] > 0 for r in layout.ROI_GROUPS], axis=0))
    dead = roi_any[rng.choice(len(roi_any), 3, replace=False)]
    brain[dead[:, 0], dead[:, 1], dead[:, 2]] = False

    noise_sd = spec.noise * rng.uniform(0.7, 1.3, shape)
    ncsnr = np.where(brain, signal[subjectim].std(0) / noise_sd, 0)
    os.makedirs(layout.betas_dir(root, subject), exist_ok=True)
    nib.save(
        nib.Nifti1Image(ncsnr.astype(np.float32), affine),
        layout.ncsnr_path(root, subject))

    t = spec.trials_per_session
    for session in range(1, spec.sessions + 1):
        columns = order[(session - 1) * t:session * t]
        drift = rng.normal(0, 2, shape) + 5  # session baseline
        gain = rng.uniform(0.8, 1.2, shape)
        values = (signal[subjectim[columns]] * gain + drift +
                  rng.normal(0, 1, (t, ) + shape) * noise_sd)
        values[:, ~brain] = 0
        betas = np.round(values * layout.BETAS_SCALE).astype(np.int16)
        with h5py.File(layout.betas_path(root, subject, session), 'w') as f:
            # hdf5 holds the volume with its axes reversed: (T, Z, Y, X)
            f.create_dataset('betas', data=betas.transpose(0, 3, 2, 1))
    return dict(
        volume=list(shape),
        voxels={r: int((labels[r] > 0).sum())
                for r in layout.ROI_GROUPS},
        dead_voxels=3)
