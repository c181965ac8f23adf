"""Drawing the demo's random content and writing all of it."""
import ast
import glob
import hashlib
import os.path as osp
from dataclasses import asdict
from typing import Dict, List

import numpy as np

from mmbrain.utils.json_io import write_json
from .downstream_writers import write_ade20k, write_coco
from .features_file import write_scene_features
from .nsd import write_nsd
from .scene_captions import write_captions
from .scenes import draw_scenes, scene_features
from .spec import DemoSpec


def _coco_split(rng: np.random.Generator, num: int,
                val: float = 0.2) -> List[str]:
    """A COCO split per image, ``val2017`` with probability ``val``."""
    return ['val2017' if rng.random() < val else 'train2017'
            for _ in range(num)]


def generator_version() -> str:
    """A digest of the code that writes the demo (this package's modules,
    the raw NSD writer and the writer of target vectors, without their
    docstrings and comments): data written by other code must be written
    again."""
    digest = hashlib.sha1()
    here = osp.dirname(osp.abspath(__file__))
    paths = [p for p in sorted(glob.glob(osp.join(here, '*.py')))
             if osp.basename(p) != '__init__.py']
    nsd = osp.join(osp.dirname(here), 'nsd')
    for path in paths + [osp.join(nsd, 'raw_writer.py'),
                         osp.join(nsd, 'target_vectors.py')]:
        with open(path, encoding='utf-8') as f:
            tree = ast.parse(f.read())
        for node in ast.walk(tree):
            body = getattr(node, 'body', None)
            if (isinstance(body, list) and body
                    and isinstance(body[0], ast.Expr)
                    and isinstance(body[0].value, ast.Constant)
                    and isinstance(body[0].value.value, str)):
                node.body = body[1:]  # the docstring
        digest.update(ast.dump(tree).encode())
    return digest.hexdigest()[:12]


def make_demo_nsd(out_root: str, spec: DemoSpec = DemoSpec()) -> Dict:
    """Write the demo NSD under ``out_root`` (layout of
    :mod:`mmbrain.datasets.nsd.layout`), plus ``coco/`` (instances and
    captions) and ``ade20k/``;
    returns a summary. Deterministic in ``spec.seed``."""
    rng = np.random.default_rng(spec.seed)
    n, size = spec.num_images, spec.image_size
    images, scenes = draw_scenes(rng, n, size)
    features = [scene_features(img, sc) for img, sc in zip(images, scenes)]
    # image columns are shown `repeats` times in one shared random order,
    # as in NSD
    order = rng.permutation(
        np.tile(np.arange(spec.images_per_subject), spec.repeats))
    coco_ids = 100000 + rng.choice(900000, n, replace=False)
    coco_split = _coco_split(rng, n)
    summary = dict(spec=asdict(spec),
                   generator=generator_version(),
                   subjects=write_nsd(out_root, spec, images, features, order,
                                      coco_ids, coco_split))
    write_scene_features(out_root, features)

    # scenes NSD never shows, from their own stream so that the NSD part
    # does not depend on how many there are
    rng = np.random.default_rng([spec.seed, 1])
    extra_images, extra_scenes = draw_scenes(rng, spec.num_downstream,
                                             spec.downstream_size)
    free = np.setdiff1d(np.arange(100000, 1000000), coco_ids)
    extra_ids = rng.choice(free, spec.num_downstream, replace=False)
    extra_split = _coco_split(rng, spec.num_downstream, spec.downstream_val)
    all_ids = np.concatenate([coco_ids, extra_ids])
    summary['coco'] = write_coco(
        osp.join(out_root, 'coco'), list(images) + list(extra_images),
        scenes + extra_scenes, all_ids, coco_split + extra_split)
    # COCO's captions of the same images, worded from their own stream
    summary['coco_captions'] = write_captions(
        osp.join(out_root, 'coco'), scenes + extra_scenes,
        [size] * n + [spec.downstream_size] * spec.num_downstream, all_ids,
        coco_split + extra_split, np.random.default_rng([spec.seed, 2]))
    summary['ade20k'] = write_ade20k(
        osp.join(out_root, 'ade20k'), extra_images, extra_scenes,
        extra_split)
    write_json(osp.join(out_root, 'demo_summary.json'), summary)
    return summary
