"""CaptionContrastivePretrainer, the captions arm, on synthetic batches."""
import copy
import os.path as osp

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config

from mmbrain.evaluation import BrainRetrievalMetric
from mmbrain.registry import MODELS
from mmbrain.structures import BrainDataSample
from mmbrain.utils import register_all_modules

# trainable parameters that no loss of this arm reaches: the norms of the
# stages kept for mmdet/mmseg, and the head's ROI projection p̄, which only
# the guidance loss uses
NO_GRADIENT = sorted([f'backbone.norm{i}.{w}' for i in range(3)
                      for w in ('bias', 'weight')] +
                     ['head.roi_proj.bias', 'head.roi_proj.weight'])


@pytest.fixture(scope='module')
def caption_config(repo_root):
    register_all_modules()
    return Config.fromfile(osp.join(repo_root, 'configs', 'pretrain', 'demo',
                                    'clip-captions_convnext_demo.py')).model


def build(cfg, **changes):
    torch.manual_seed(0)
    cfg = copy.deepcopy(cfg.to_dict())
    for key, value in changes.items():
        cfg[key] = value
    return MODELS.build(cfg)


def caption_batch(n=4, length=64, img_size=64, seed=0):
    """N random images with random captions' tokens (<end> at a different
    place in each), as the caption pipeline gives them: no fMRI."""
    g = torch.Generator().manual_seed(seed)
    samples = []
    for i in range(n):
        tokens = np.zeros(length, np.int64)
        end = 3 + i
        tokens[0], tokens[end] = 49406, 49407
        tokens[1:end] = torch.randint(1, 49000, (end - 1, ), generator=g)
        sample = BrainDataSample(tokens=tokens)
        sample.set_metainfo(dict(subject=1 + i % 2, nsd_id=i))
        samples.append(sample)
    imgs = torch.randint(0, 256, (n, 3, img_size, img_size),
                         dtype=torch.uint8, generator=g)
    return dict(inputs=list(imgs), data_samples=samples)


def test_registered_and_sized_from_the_text_encoder(caption_config):
    assert MODELS.get('CaptionContrastivePretrainer') is not None
    model = build(caption_config)
    assert type(model).__name__ == 'CaptionContrastivePretrainer'
    assert model.head.embed_dims == model.text_encoder.embed_dims == 64
    assert model.head.guidance_loss is None and model.head.num_rois == 1


def test_loss_is_the_heads_contrastive_loss_by_hand(caption_config):
    model = build(caption_config).train()
    data = model.data_preprocessor(caption_batch(), True)
    inputs = data['inputs']
    assert set(inputs) == {'img', 'tokens', 'subject'}
    losses = model(**data, mode='loss')
    assert set(losses) == {'loss_contrastive', 'temperature', 'global_batch'}
    with torch.no_grad():
        p = F.normalize(model.head(model.extract_feat(inputs['img']))[0],
                        dim=-1)
        t = F.normalize(model.text_encoder(inputs['tokens']), dim=-1)
        logits = p @ t.T / 0.07
        labels = torch.arange(4)
        expected = 0.5 * (F.cross_entropy(logits, labels) +
                          F.cross_entropy(logits.T, labels))
    torch.testing.assert_close(losses['loss_contrastive'].detach(), expected)


def test_train_step_reaches_every_trained_parameter(caption_config):
    from mmengine.optim import OptimWrapper
    model = build(caption_config)
    model.init_weights()
    model.train()
    data = model.data_preprocessor(caption_batch(), True)
    model(**data, mode='loss')['loss_contrastive'].backward()
    no_grad = [n for n, p in model.named_parameters()
               if p.requires_grad and (p.grad is None or not p.grad.any())]
    assert sorted(no_grad) == NO_GRADIENT
    assert any(n.startswith('text_encoder.') for n, _ in
               model.named_parameters())
    model.zero_grad()
    before = model.text_encoder.projection.weight.detach().clone()
    log = model.train_step(
        caption_batch(), OptimWrapper(torch.optim.AdamW(model.parameters(),
                                                        lr=1e-3)))
    assert torch.isfinite(log['loss'])
    assert not torch.equal(before, model.text_encoder.projection.weight)


def test_predict_gives_unit_embeddings_for_retrieval(caption_config):
    model = build(caption_config).eval()
    with torch.no_grad():
        samples = model.test_step(caption_batch(3))
    for s in samples:
        assert s.img_embed.shape == s.text_embed.shape == (64, )
        assert torch.allclose(s.img_embed.norm(), torch.tensor(1.))
        assert torch.allclose(s.text_embed.norm(), torch.tensor(1.))
        assert 'brain_embed' not in s
    metric = BrainRetrievalMetric(topk=(1, ), paired_key='text_embed')
    metric.process(None, [s.to_dict() for s in samples])
    result = metric.compute_metrics(metric.results)
    assert set(result) == {'i2b_top1', 'b2i_top1', 'chance_top1'}


def test_bad_parts_are_refused(caption_config):
    with pytest.raises(ValueError, match='guidance_loss=None'):
        build(caption_config, head=dict(caption_config.head,
                                        guidance_loss=dict(
                                            type='BrainGuidanceLoss')))
    with pytest.raises(ValueError, match='model.head.embed_dims = 32'):
        build(caption_config, head=dict(caption_config.head, embed_dims=32))
    with pytest.raises(TypeError, match='not a text encoder'):
        build(caption_config, text_encoder=torch.nn.Linear(2, 2))
    model = build(caption_config)
    batch = caption_batch()
    for s in batch['data_samples']:
        del s.tokens
    with pytest.raises(KeyError, match='add LoadCaption and TokenizeCaption'):
        model(**model.data_preprocessor(batch, True), mode='loss')
