"""One starting point per seed: every arm's downstream model is the same
draw outside the backbone, and the random arm's backbone is the
pretraining's initial weights."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import set_random_seed

from mmbrain.apis import initial_backbone

DEMO_PRETRAIN = 'configs/pretrain/demo/brainformer_convnext_demo.py'
DEMO_MASK_RCNN = ('configs/mask_rcnn/demo/'
                  'mask-rcnn_convnext-demo_fpn_coco-demo_random.py')


@pytest.fixture(scope='module')
def starts(repo_root, tmp_path_factory):
    """The starting backbone of seeds 0 and 1, and seed 0's perturbed as a
    stand-in for a pretrained export; their paths by name."""
    cfg = Config.fromfile(osp.join(repo_root, DEMO_PRETRAIN))
    folder = tmp_path_factory.mktemp('starts')
    paths = {}
    for name, seed in (('seed0', 0), ('seed1', 1)):
        paths[name] = str(folder / f'{name}.pth')
        torch.save(initial_backbone(cfg, seed), paths[name])
    trained = torch.load(paths['seed0'])
    for value in trained['state_dict'].values():
        value.add_(0.01)
    paths['trained'] = str(folder / 'trained.pth')
    torch.save(trained, paths['trained'])
    return paths


def detector(repo_root, build_mmdet, checkpoint, seed=0):
    """The demo Mask R-CNN's weights as the runner makes them: seeded,
    built, initialised (its backbone from ``checkpoint`` when given)."""
    cfg = Config.fromfile(osp.join(repo_root, DEMO_MASK_RCNN))
    if checkpoint is not None:
        cfg.model.backbone.init_cfg = dict(
            type='Pretrained', checkpoint=checkpoint, prefix='backbone.')
    set_random_seed(seed)
    model = build_mmdet(cfg)
    model.init_weights()
    return model.state_dict()


def split(state):
    backbone = {k[9:]: v for k, v in state.items() if k.startswith('backbone.')}
    rest = {k: v for k, v in state.items() if not k.startswith('backbone.')}
    return backbone, rest


def test_every_arm_of_a_seed_draws_the_same_neck_and_heads(
        repo_root, build_mmdet, starts):
    random_arm, random_rest = split(
        detector(repo_root, build_mmdet, starts['seed0']))
    pretrained, pretrained_rest = split(
        detector(repo_root, build_mmdet, starts['trained']))
    assert random_rest.keys() == pretrained_rest.keys()
    assert all(torch.equal(random_rest[k], pretrained_rest[k])
               for k in random_rest)
    start = torch.load(starts['seed0'])['state_dict']
    assert all(torch.equal(random_arm[k], start['backbone.' + k])
               for k in random_arm)
    key = 'downsample_layers.0.0.weight'
    assert not torch.equal(pretrained[key], random_arm[key])
    # the old random arm (its backbone drawn, not loaded) is another draw
    _, drawn_rest = split(detector(repo_root, build_mmdet, None))
    assert any(not torch.equal(drawn_rest[k], random_rest[k])
               for k in random_rest)


def test_the_starting_point_is_the_seeds(repo_root, starts):
    zero = torch.load(starts['seed0'])['state_dict']
    cfg = Config.fromfile(osp.join(repo_root, DEMO_PRETRAIN))
    again = initial_backbone(cfg, 0)['state_dict']
    assert all(torch.equal(zero[k], again[k]) for k in zero)
    one = torch.load(starts['seed1'])['state_dict']
    assert not torch.equal(zero['backbone.downsample_layers.0.0.weight'],
                           one['backbone.downsample_layers.0.0.weight'])
