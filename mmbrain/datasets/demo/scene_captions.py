"""Captions of the demo scenes, in COCO's captions format.

Each scene gets :data:`CAPTIONS_PER_IMAGE` captions in varied wording, each
naming every object with its colour, category and quadrant, and the colour
of the sky or the ground (and, in one, the horizon's height), e.g. "A red
stop sign in the upper left and a gray clock at the bottom right, above
green ground." Colours are named from the RGB values the scene was drawn
with (:func:`colour_name`), quadrants from each object's centre; every
object of a demo scene lies inside one quadrant.
"""
import colorsys
import os
import os.path as osp
from typing import Dict, List, Sequence

import numpy as np

from mmbrain.utils.json_io import write_json
CAPTIONS_PER_IMAGE = 5
# (column, row) of a quadrant -> its names
QUADRANTS = {
    (0, 0): ('upper left', 'top left'),
    (1, 0): ('upper right', 'top right'),
    (0, 1): ('lower left', 'bottom left'),
    (1, 1): ('lower right', 'bottom right'),
}
NUMBERS = ('no', 'one', 'two', 'three', 'four')


def colour_name(rgb: Sequence[float]) -> str:
    """The basic colour word of an RGB colour (0-255 per channel): black,
    gray or white where it is dark or unsaturated, brown where red or
    orange is dark and dull, else by hue red, orange, yellow, green, cyan,
    blue, purple or pink."""
    h, s, v = colorsys.rgb_to_hsv(*(float(c) / 255 for c in rgb))
    hue = 360 * h
    if v < 0.25:
        return 'black'
    if s < 0.2:
        return 'white' if v > 0.85 else 'gray'
    if (hue < 15 or hue >= 340) and v < 0.65 and s < 0.6:
        return 'brown'
    if hue < 15 or hue >= 340:
        return 'red'
    if hue < 45:
        return 'brown' if v < 0.7 else 'orange'
    for bound, name in ((70, 'yellow'), (160, 'green'), (195, 'cyan'),
                        (265, 'blue'), (300, 'purple')):
        if hue < bound:
            return name
    return 'pink'


def quadrant(polygon: np.ndarray, size: int) -> tuple:
    """(column, row) of the image quadrant holding the polygon's centre;
    (0, 0) is the upper left."""
    cx, cy = np.asarray(polygon).mean(0)
    return int(cx >= size / 2), int(cy >= size / 2)


def horizon_name(horizon: float) -> str:
    """Where the horizon (fraction of the height from the top) lies."""
    if horizon < 0.43:
        return 'high'
    return 'low' if horizon > 0.57 else 'near the middle'


def _article(word: str) -> str:
    return 'an' if word[0] in 'aeiou' else 'a'


def scene_captions(scene: Dict, size: int, rng: np.random.Generator,
                   num: int = CAPTIONS_PER_IMAGE) -> List[str]:
    """``num`` true captions of a :func:`~.scenes.draw_scene` scene drawn at
    ``size`` px; the wording, the order of the objects and the quadrants'
    names are drawn from ``rng``."""
    sky, ground = colour_name(scene['sky']), colour_name(scene['ground'])
    horizon = horizon_name(scene['horizon'])
    objects = scene['objects']
    count = (f'{NUMBERS[len(objects)]} '
             f'{"object" if len(objects) == 1 else "objects"}')

    def listed() -> str:
        phrases = []
        for i in rng.permutation(len(objects)):
            obj = objects[i]
            colour = colour_name(obj['color'])
            where = QUADRANTS[quadrant(obj['polygon'], size)]
            phrases.append(
                f'{_article(colour)} {colour} {obj["name"]} '
                f'{rng.choice(("in", "at"))} the {rng.choice(where)}')
        if len(phrases) == 1:
            return phrases[0]
        return ', '.join(phrases[:-1]) + ' and ' + phrases[-1]

    templates = (
        lambda: f'{listed()}, above {ground} ground.',
        lambda: f'{_article(sky)} {sky} sky over {ground} ground, with '
        f'{listed()}.',
        lambda: f'{count} on {ground} ground under {_article(sky)} {sky} sky: '
        f'{listed()}.',
        lambda: f'a synthetic scene showing {listed()}; the horizon is '
        f'{horizon}.',
        lambda: f'{listed()} in front of {_article(sky)} {sky} sky.',
    )
    captions = []
    for k in rng.permutation(len(templates))[:num]:
        text = templates[k]()
        captions.append(text[0].upper() + text[1:])
    return captions


def write_captions(out: str, scenes: List[Dict], sizes: Sequence[int],
                   coco_ids: np.ndarray, coco_split: List[str],
                   rng: np.random.Generator) -> Dict:
    """``annotations/captions_{train,val}2017.json`` under ``out`` (the demo
    ``coco/``), as COCO ships them: every image of each split with its
    :func:`scene_captions`.

    Args:
        scenes: :func:`~.scenes.draw_scene` dict of each image.
        sizes: (N, ) the size each image was drawn at.
        coco_ids, coco_split: (N, ) COCO id and split of each image.
        rng: draws the wording.

    Returns:
        dict: split -> numbers of images and captions.
    """
    os.makedirs(osp.join(out, 'annotations'), exist_ok=True)
    texts = [scene_captions(s, size, rng) for s, size in zip(scenes, sizes)]
    summary = {}
    for split in ('train2017', 'val2017'):
        images, anns = [], []
        for i in np.flatnonzero(np.array(coco_split) == split):
            image_id = int(coco_ids[i])
            images.append(dict(id=image_id, file_name=f'{image_id:012d}.jpg',
                               height=int(sizes[i]), width=int(sizes[i])))
            for text in texts[i]:
                anns.append(
                    dict(id=len(anns) + 1, image_id=image_id, caption=text))
        write_json(osp.join(out, 'annotations', f'captions_{split}.json'),
                   dict(images=images, annotations=anns), indent=None)
        summary[split] = dict(images=len(images), captions=len(anns))
    return summary
