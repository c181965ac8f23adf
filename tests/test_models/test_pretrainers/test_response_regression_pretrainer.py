import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config

from mmbrain.models import multilabel_bce, roi_balanced_mse
from mmbrain.registry import METRICS, MODELS
from mmbrain.testing import fake_brain_batch
from mmbrain.utils import ConfigError, register_all_modules

# target vectors per ROI group (the demo's scene features), in ROI order
FEATURES = (64, 4, 4, 7, 4, 7)
# the categories of the demo's COCO files
CATEGORIES = 4
# the norms of the stages kept for mmdet/mmseg, not read here
UNUSED_NORMS = [
    f'backbone.norm{i}.{w}' for i in range(3) for w in ('bias', 'weight')
]


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


def with_labels(batch, categories=CATEGORIES):
    """Each sample's multi-hot labels, as LoadCocoLabels gives them; every
    category present in one sample at least and absent from another."""
    for n, sample in enumerate(batch['data_samples']):
        sample.features = [(np.arange(categories) % 2 == n % 2).astype(
            np.float32)]
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
    assert sorted(no_grad) == UNUSED_NORMS


def test_labels_train_every_parameter_by_binary_cross_entropy(build):
    """The labels arm of labels_convnext_demo.py: one logit per category
    for every subject, the mean binary cross-entropy by hand, and a finite
    gradient, nonzero somewhere, on every trainable tensor but the unused
    norms."""
    model = build('labels_convnext_demo').train()
    assert model.target == 'labels' and model.head.subjects is None
    data = model.data_preprocessor(with_labels(fake_brain_batch()), True)
    losses = model(**data, mode='loss')
    assert list(losses) == ['loss_regression']
    logits = model.head(model.extract_feat(data['inputs']['img']))[0]
    labels = data['inputs']['features'][0]
    assert logits.shape == labels.shape == (4, CATEGORIES)
    by_hand = (torch.log1p(logits.exp()) - labels * logits).mean()
    torch.testing.assert_close(losses['loss_regression'], by_hand)
    torch.testing.assert_close(losses['loss_regression'],
                               multilabel_bce([logits], [labels]))
    losses['loss_regression'].backward()
    trainable = [(n, p) for n, p in model.named_parameters()
                 if p.requires_grad]
    assert all(p.grad is None or torch.isfinite(p.grad).all()
               for _, p in trainable)
    no_grad = [n for n, p in trainable if p.grad is None or not p.grad.any()]
    assert sorted(no_grad) == UNUSED_NORMS


def test_labels_predict_scores_for_average_precision(build):
    """``'predict'`` gives each sample's category probabilities and labels,
    which mmpretrain's AveragePrecision (the config's evaluator) scores."""
    model = build('labels_convnext_demo').eval()
    batch = with_labels(fake_brain_batch(4))
    with torch.no_grad():
        samples = model.test_step(batch)
        logits = model.head(model.extract_feat(
            model.data_preprocessor(batch)['inputs']['img']))[0]
    for sample, row in zip(samples, logits):
        torch.testing.assert_close(sample.pred_score, row.sigmoid())
        np.testing.assert_array_equal(sample.gt_score.numpy(),
                                      sample.features[0])
        assert 'pred_fmri' not in sample
    metric = METRICS.build(dict(type='mmpretrain.AveragePrecision'))
    metric.process(None, [s.to_dict() for s in samples])
    assert 0 <= metric.evaluate(len(samples))['multi-label/mAP'] <= 100


def test_labels_need_one_output_per_category(build):
    model = build('labels_convnext_demo')
    data = model.data_preprocessor(fake_brain_batch(), True)
    with pytest.raises(KeyError, match='add LoadCocoLabels'):
        model(**data, mode='loss')
    model = build('labels_convnext_demo')
    batch = with_labels(fake_brain_batch(), categories=CATEGORIES + 1)
    with pytest.raises(ConfigError, match=r'the labels have \[5\] categories'
                       r'.* the head gives \[4\] outputs: set '
                       r'model.head.num_outputs to \[5\]'):
        model(**model.data_preprocessor(batch, True), mode='loss')
    model.eval()
    with pytest.raises(ConfigError, match='model.head.num_outputs'):
        model.test_step(with_labels(fake_brain_batch(), categories=3))


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
