import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config

from mmbrain.models import roi_balanced_mse
from mmbrain.registry import MODELS
from mmbrain.testing import fake_brain_batch
from mmbrain.utils import register_all_modules

# target vectors per ROI group (the demo's scene features), in ROI order
FEATURES = (64, 4, 4, 7, 4, 7)


@pytest.fixture(scope='module')
def build(repo_root):
    """``build(name)``: the model of configs/pretrain/demo/<name>.py;
    ``features``: that of voxel-encoding_convnext_demo.py regressing
    per-image target vectors (one readout for every subject)."""
    register_all_modules()

    def build(name):
        torch.manual_seed(0)
        config = ('voxel-encoding_convnext_demo'
                  if name == 'features' else name)
        cfg = Config.fromfile(osp.join(repo_root, 'configs', 'pretrain',
                                       'demo', f'{config}.py'))
        if name == 'features':
            cfg.model.target = 'features'
            cfg.model.head.update(num_outputs=list(FEATURES), subjects=None)
        model = MODELS.build(cfg.model)
        model.init_weights()
        return model

    return build


def with_features(batch):
    rng = np.random.default_rng(0)
    for sample in batch['data_samples']:
        sample.features = [rng.normal(size=f).astype(np.float32)
                           for f in FEATURES]
    return batch


@pytest.mark.parametrize('name,target', [
    ('voxel-encoding_convnext_demo', 'fmri'),
    ('features', 'features'),
])
def test_the_loss_reaches_every_parameter(build, name, target):
    model = build(name).train()
    data = model.data_preprocessor(with_features(fake_brain_batch()), True)
    losses = model(**data, mode='loss')
    assert list(losses) == ['loss_regression']
    # the loss is the ROI-balanced error of the head's predictions
    preds = model.head(model.extract_feat(data['inputs']['img']),
                       data['inputs']['subject'])
    targets = data['inputs'][target]
    masks = data['inputs']['mask'] if target == 'fmri' else None
    expected = roi_balanced_mse(
        [p[:, :t.shape[1]] for p, t in zip(preds, targets)], targets, masks)
    torch.testing.assert_close(losses['loss_regression'], expected)
    losses['loss_regression'].backward()
    no_grad = [n for n, p in model.named_parameters()
               if p.grad is None or not p.grad.any()]
    # the norms of the stages kept for mmdet/mmseg, not read here
    assert sorted(no_grad) == [
        f'backbone.norm{i}.{w}' for i in range(3) for w in ('bias', 'weight')
    ]


def test_voxel_encoding_reads_out_per_subject(build):
    model = build('voxel-encoding_convnext_demo')
    assert model.head.subjects == [1, 2]
    assert model.head.weights[0].shape[0] == 2


def test_predict_gives_each_samples_own_targets(build):
    model = build('voxel-encoding_convnext_demo').eval()
    batch = fake_brain_batch(3)
    with torch.no_grad():
        samples = model.test_step(batch)
    for sample in samples:
        assert [len(p) for p in sample.pred_fmri] == [
            len(f) for f in sample.fmri]
        for gt, f in zip(sample.gt_fmri, sample.fmri):
            np.testing.assert_array_equal(np.asarray(gt), f)


def test_predict_after_brain_collate(build):
    """The loaders' collate takes ``fmri`` out of the samples: the targets
    come from the batch, each sample's voxels only."""
    from mmbrain.datasets import brain_collate
    model = build('voxel-encoding_convnext_demo').eval()
    batch = fake_brain_batch(3)
    fmri = [[np.asarray(f) for f in s.fmri] for s in batch['data_samples']]
    collated = brain_collate([
        dict(inputs=img, data_samples=sample)
        for img, sample in zip(batch['inputs'], batch['data_samples'])
    ])
    with torch.no_grad():
        samples = model.test_step(collated)
    for sample, truth in zip(samples, fmri):
        assert [len(p) for p in sample.pred_fmri] == [len(f) for f in truth]
        for gt, f in zip(sample.gt_fmri, truth):
            np.testing.assert_array_equal(np.asarray(gt), f)


def test_feature_regression_needs_its_targets(build):
    model = build('features')
    data = model.data_preprocessor(fake_brain_batch(), True)
    with pytest.raises(KeyError, match='add LoadTargetVectors'):
        model(**data, mode='loss')
    with pytest.raises(ValueError, match='target must be one of'):
        MODELS.build(dict(type='ResponseRegressionPretrainer',
                          backbone=model.backbone, head=model.head,
                          target='pixels'))
