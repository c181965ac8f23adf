import os.path as osp

import numpy as np
import torch
from mmengine.config import Config
from mmengine.optim import OptimWrapper
from mmengine.runner import load_checkpoint

from mmbrain.engine.hooks import backbone_checkpoint
from mmbrain.registry import MODELS
from mmbrain.structures import BrainDataSample
from mmbrain.utils import register_all_modules

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
DEMO = osp.join(ROOT, 'configs', 'pretrain', 'demo',
                'brainformer_convnext_demo.py')


def demo_model():
    register_all_modules()
    return MODELS.build(Config.fromfile(DEMO).model)


def fake_batch(n=4, voxels=(120, 30, 40, 25, 35, 200)):
    g = np.random.default_rng(0)
    samples = []
    for i in range(n):
        lens = [v - 5 * i for v in voxels]  # subjects differ in voxels
        sample = BrainDataSample(
            fmri=[g.normal(size=v).astype(np.float32) for v in lens],
            coords=[g.normal(size=(v, 3)).astype(np.float32) * 50
                    for v in lens])
        sample.set_metainfo(dict(subject=1 + i % 2, nsd_id=i))
        samples.append(sample)
    imgs = [torch.randint(0, 256, (3, 64, 64), dtype=torch.uint8)] * n
    return dict(inputs=imgs, data_samples=samples)


def test_train_step_reaches_every_parameter():
    torch.manual_seed(0)
    model = demo_model()
    model.init_weights()
    model.train()
    data = model.data_preprocessor(fake_batch(), True)
    losses = model(**data, mode='loss')
    assert set(losses) >= {'loss_contrastive', 'loss_guidance',
                           'temperature', 'global_batch'}
    (losses['loss_contrastive'] + losses['loss_guidance']).backward()
    no_grad = [n for n, p in model.named_parameters()
               if p.requires_grad and (p.grad is None or not p.grad.any())]
    # only the norms of the stages kept for mmdet/mmseg, not pooled here
    assert sorted(no_grad) == [
        f'backbone.norm{i}.{w}' for i in range(3) for w in ('bias', 'weight')
    ]
    assert any(n.startswith('backbone.') for n, _ in
               model.named_parameters())


def test_train_step_with_optim_wrapper_changes_backbone():
    torch.manual_seed(0)
    model = demo_model()
    before = model.backbone.downsample_layers[0][0].weight.detach().clone()
    wrapper = OptimWrapper(torch.optim.AdamW(model.parameters(), lr=1e-3))
    log = model.train_step(fake_batch(), wrapper)
    assert torch.isfinite(log['loss'])
    assert not torch.equal(before, model.backbone.downsample_layers[0][0].weight)


def test_predict_gives_unit_embeddings():
    model = demo_model().eval()
    with torch.no_grad():
        samples = model.test_step(fake_batch(n=3))
    for s in samples:
        assert s.img_embed.shape == s.brain_embed.shape == (64, )
        assert torch.allclose(s.img_embed.norm(), torch.tensor(1.))
        assert torch.allclose(s.brain_embed.norm(), torch.tensor(1.))


def test_exported_backbone_loads_without_missing_keys(tmp_path):
    model = demo_model()
    ckpt = backbone_checkpoint(dict(state_dict=model.state_dict()))
    assert all(k.startswith('backbone.') for k in ckpt['state_dict'])
    path = str(tmp_path / 'backbone.pth')
    torch.save(ckpt, path)
    cfg = Config.fromfile(DEMO).model.backbone
    fresh = MODELS.build(cfg)
    # strict: any missing or unexpected key raises
    load_checkpoint(
        fresh, path, strict=True, revise_keys=[(r'^backbone\.', '')])
    for k, v in fresh.state_dict().items():
        assert torch.equal(v, model.backbone.state_dict()[k]), k
