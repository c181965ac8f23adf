"""Every config under configs/pretrain builds its model; the paper ones at
full size."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from mmbrain.registry import MODELS
from mmbrain.utils import register_all_modules

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
PRETRAIN = sorted(
    glob.glob(osp.join(ROOT, 'configs', 'pretrain', '**', '*.py'),
              recursive=True))


@pytest.mark.parametrize('path', PRETRAIN, ids=osp.basename)
def test_pretrain_config_builds(path):
    register_all_modules()
    cfg = Config.fromfile(path)
    model = MODELS.build(cfg.model)
    params = sum(p.numel() for p in model.parameters())
    assert params > 0
    assert cfg.train_dataloader.dataset.type == 'NSDBrainDataset'
    if 'demo' not in path:  # the paper's settings
        assert cfg.optim_wrapper.optimizer.lr == 1e-4
        assert cfg.train_cfg.max_epochs == 100
        assert cfg.train_dataloader.batch_size == 64
        assert cfg.train_dataloader.dataset.subjects == [1, 2, 3, 4, 5, 6, 7]
        assert cfg.model.head.contrastive_loss.loss_weight == 0.5
        assert cfg.model.head.guidance_loss.loss_weight == 0.5
        assert model.backbone.__class__.__name__ in ('ConvNeXt',
                                                     'SwinTransformer')


ENCODING = sorted(
    glob.glob(osp.join(ROOT, 'configs', 'encoding', '**', '*.py'),
              recursive=True))


@pytest.mark.parametrize('path', ENCODING, ids=osp.basename)
def test_encoding_config_builds(path):
    register_all_modules()
    cfg = Config.fromfile(path)
    model = MODELS.build(cfg.model)
    assert model.__class__.__name__ == 'PooledFeatures'
    init = cfg.model.backbone.get('init_cfg')
    if path.endswith('_brain.py'):
        assert init.type == 'Pretrained' and init.prefix == 'backbone.'
    else:
        assert init is None
    if 'demo' not in path:  # the held-out subject of the paper's protocol
        assert cfg.train_dataloader.dataset.subjects == [8]
        assert cfg.test_dataloader.dataset.split == 'test'
