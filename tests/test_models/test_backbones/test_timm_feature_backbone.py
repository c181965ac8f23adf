"""TimmFeatureBackbone alone, and inside real mmdet / mmseg models."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import OptimWrapper
from mmengine.registry import DefaultScope
from mmengine.structures import PixelData

from mmbrain.models import TimmFeatureBackbone

CONFIGS = osp.join(osp.dirname(__file__), '..', '..', 'data', 'configs')


@pytest.mark.parametrize('name,kwargs,channels', [
    ('swin_tiny_patch4_window7_224',
     dict(embed_dim=32, depths=(1, 1, 1, 1), num_heads=(1, 2, 4, 8)),
     [32, 64, 128, 256]),
    ('convnext_atto', {}, [40, 80, 160, 320]),
])
def test_outputs_are_nchw(name, kwargs, channels):
    backbone = TimmFeatureBackbone(name, **kwargs).eval()
    assert backbone.out_channels == channels
    assert backbone.strides == [4, 8, 16, 32]
    feats = backbone(torch.randn(2, 3, 224, 224))
    assert [tuple(f.shape) for f in feats] == [
        (2, c, 224 // s, 224 // s) for c, s in zip(channels, [4, 8, 16, 32])
    ]


def test_out_indices_select_levels():
    backbone = TimmFeatureBackbone('convnext_atto', out_indices=(1, 3))
    feats = backbone(torch.randn(1, 3, 64, 64))
    assert [f.shape[1] for f in feats] == [80, 320]


def test_refuses_to_download():
    with pytest.raises(ValueError, match='does not download'):
        TimmFeatureBackbone('convnext_atto', pretrained=True)


def build_from_config(filename, scope):
    cfg = Config.fromfile(osp.join(CONFIGS, filename))
    with DefaultScope.overwrite_default_scope(scope):
        from mmengine.registry import MODELS
        model = MODELS.build(cfg.model)
    assert isinstance(model.backbone, TimmFeatureBackbone)
    return model


def train_one_iteration(model, data):
    """One real training iteration; returns the losses and whether the
    backbone's weights moved."""
    model.init_weights()
    model.train()
    before = copy.deepcopy(model.backbone.state_dict())
    optim_wrapper = OptimWrapper(
        torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9))
    log_vars = model.train_step(data, optim_wrapper)
    after = model.backbone.state_dict()
    moved = any(not torch.equal(before[k], after[k]) for k in before
                if after[k].is_floating_point())
    return log_vars, moved


def test_mask_rcnn_from_mmdet_config_trains_one_iteration():
    from mmdet.testing import demo_mm_inputs
    model = build_from_config('mask_rcnn_timm_swin_tiny.py', 'mmdet')
    torch.manual_seed(0)
    data = demo_mm_inputs(
        batch_size=2,
        image_shapes=[(3, 224, 224)] * 2,
        num_items=[3, 2],
        with_mask=True)
    with DefaultScope.overwrite_default_scope('mmdet'):
        log_vars, moved = train_one_iteration(model, data)
    for key in ('loss_rpn_cls', 'loss_cls', 'loss_bbox', 'loss_mask'):
        assert torch.isfinite(torch.as_tensor(log_vars[key])), key
    assert moved


def test_upernet_from_mmseg_config_trains_one_iteration():
    from mmseg.structures import SegDataSample
    model = build_from_config('upernet_timm_convnext_atto.py', 'mmseg')
    torch.manual_seed(0)
    samples = []
    for _ in range(2):
        sample = SegDataSample(
            gt_sem_seg=PixelData(data=torch.randint(0, 5, (1, 64, 64))))
        sample.set_metainfo(dict(img_shape=(64, 64), ori_shape=(64, 64)))
        samples.append(sample)
    data = dict(
        inputs=[torch.randint(0, 256, (3, 64, 64), dtype=torch.uint8)] * 2,
        data_samples=samples)
    with DefaultScope.overwrite_default_scope('mmseg'):
        log_vars, moved = train_one_iteration(model, data)
    assert torch.isfinite(torch.as_tensor(log_vars['decode.loss_ce']))
    assert torch.isfinite(torch.as_tensor(log_vars['aux.loss_ce']))
    assert moved
