"""Synthetic scenes: drawing them, their features and their label maps."""
from typing import Dict, List, Tuple

import cv2
import numpy as np

# (COCO id, name) of the drawn categories, and the ROI each one drives
CATEGORIES = ((1, 'person'), (85, 'clock'), (13, 'stop sign'), (3, 'car'))
CATEGORY_ROI = {'person': 'floc-bodies', 'clock': 'floc-faces',
                'stop sign': 'floc-words'}


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
        (category ``name``, (P, 2) ``polygon`` and RGB fill ``color``
        each).
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
        objects.append(dict(name=name, polygon=poly, color=color))
    return img, dict(horizon=horizon, sky=sky, ground=ground, objects=objects)


def draw_scenes(rng: np.random.Generator, num: int,
                size: int) -> Tuple[np.ndarray, List[Dict]]:
    """``num`` scenes of :func:`draw_scene`: (num, size, size, 3) uint8
    images and their scene dicts."""
    scenes, images = [], np.empty((num, size, size, 3), dtype=np.uint8)
    for i in range(num):
        images[i], scene = draw_scene(rng, size)
        scenes.append(scene)
    return images, scenes


def _object_area(poly: np.ndarray, size: int) -> np.ndarray:
    """(2, 2) fraction of each image quadrant the polygon covers."""
    mask = np.zeros((size, size), dtype=np.uint8)
    cv2.fillPoly(mask, [np.round(poly).astype(np.int32)], 1)
    h = size // 2
    return mask.reshape(2, h, 2, h).mean(axis=(1, 3))


def scene_features(img: np.ndarray, scene: Dict) -> Dict[str, np.ndarray]:
    """The feature vector each ROI group responds to (see
    :mod:`mmbrain.datasets.demo`): ROI -> (F, ) float64."""
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
