"""The demo's COCO captions: every image has five, and they tell its scene's
content truly."""
import json
import os.path as osp
import re

import h5py
import numpy as np
import pytest

from mmbrain.datasets.demo import DemoSpec
from mmbrain.datasets.demo.scene_captions import colour_name, horizon_name
from mmbrain.datasets.demo.scenes import draw_scenes
from mmbrain.datasets.nsd import NSDCaptions, layout, load_stim_info

OBJECT = re.compile(
    r'\ban? (\w+) (person|clock|stop sign|car) (?:in|at) the '
    r'(upper|top|lower|bottom) (left|right)\b', re.IGNORECASE)
NUMBER = re.compile(r'^(one|two|three|four) objects? ', re.IGNORECASE)
WORDS = ('one', 'two', 'three', 'four')


def parse(caption):
    """What a caption says: its objects as sorted (colour, name, (column,
    row)), and the sky's and ground's colours, the horizon and the object
    count where it names them."""
    objects = sorted(
        (colour, name, (int(side == 'right'),
                        int(level in ('lower', 'bottom'))))
        for colour, name, level, side in OBJECT.findall(caption))
    said = {}
    for part in ('sky', 'ground'):
        found = re.findall(rf'\b(\w+) {part}\b', caption)
        if found:
            said[part] = found
    horizon = re.search(r'the horizon is (high|low|near the middle)',
                        caption)
    if horizon:
        said['horizon'] = horizon.group(1)
    number = NUMBER.match(caption)
    if number:
        said['count'] = WORDS.index(number.group(1).lower()) + 1
    return objects, said


def truth(scene, size):
    """The same of a scene, from its spec: sorted (colour, name, (column,
    row) of the polygon's centre)."""
    objects = sorted(
        (colour_name(o['color']), o['name'],
         tuple(int(c >= size / 2) for c in o['polygon'].mean(0)))
        for o in scene['objects'])
    return objects, dict(sky=[colour_name(scene['sky'])],
                         ground=[colour_name(scene['ground'])],
                         horizon=horizon_name(scene['horizon']),
                         count=len(objects))


@pytest.fixture(scope='module')
def nsd_scenes(small_demo_nsd):
    """The scenes of the NSD images of the demo, drawn again from its spec
    (the generator draws them first, from ``default_rng(seed)``), checked
    against the image brick."""
    with open(osp.join(small_demo_nsd, 'demo_summary.json')) as f:
        spec = DemoSpec(**json.load(f)['spec'])
    images, scenes = draw_scenes(np.random.default_rng(spec.seed),
                                 spec.num_images, spec.image_size)
    with h5py.File(layout.stimuli_path(small_demo_nsd), 'r') as f:
        np.testing.assert_array_equal(f['imgBrick'][()], images)
    return scenes, spec.image_size


def test_canonical_colours_are_named():
    named = {(255, 0, 0): 'red', (0, 200, 0): 'green', (0, 0, 255): 'blue',
             (250, 240, 20): 'yellow', (255, 140, 0): 'orange',
             (120, 70, 20): 'brown', (0, 220, 220): 'cyan',
             (130, 0, 220): 'purple', (255, 60, 180): 'pink',
             (250, 250, 250): 'white', (128, 128, 128): 'gray',
             (20, 20, 20): 'black'}
    assert {rgb: colour_name(rgb) for rgb in named} == named


def test_every_nsd_image_has_five_true_captions(small_demo_nsd, nsd_scenes):
    scenes, size = nsd_scenes
    stim = load_stim_info(layout.stim_info_path(small_demo_nsd))
    reader = NSDCaptions(osp.join(small_demo_nsd, 'coco', 'annotations'),
                         stim)
    checked = set()
    for nsd_id, scene in enumerate(scenes):
        captions = reader[nsd_id]
        assert len(captions) == 5 and len(set(captions)) == 5, captions
        objects, facts = truth(scene, size)
        for caption in captions:
            said_objects, said = parse(caption)
            # every object, each with its colour, category and quadrant
            assert said_objects == objects, (caption, objects)
            assert said, caption  # at least one more fact of the scene
            for key, value in said.items():
                assert value == facts[key], (caption, key, facts)
            checked |= set(said)
    assert checked == {'sky', 'ground', 'horizon', 'count'}


def test_every_coco_image_has_captions(small_demo_nsd):
    """The captions files list the images of the instances files (NSD's
    and the downstream ones), as COCO's do, with five captions each."""
    ann = osp.join(small_demo_nsd, 'coco', 'annotations')
    for split in ('train2017', 'val2017'):
        with open(osp.join(ann, f'instances_{split}.json')) as f:
            instances = {im['id'] for im in json.load(f)['images']}
        with open(osp.join(ann, f'captions_{split}.json')) as f:
            captions = json.load(f)
        assert {im['id'] for im in captions['images']} == instances
        per_image = {}
        for a in captions['annotations']:
            per_image[a['image_id']] = per_image.get(a['image_id'], 0) + 1
        assert per_image == {i: 5 for i in instances}
        assert len({a['id'] for a in captions['annotations']}) == len(
            captions['annotations'])
