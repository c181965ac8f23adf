"""The optimizer settings of the training configs."""
import copy

import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from mmbrain.engine import AutocastOptimWrapper
from mmbrain.utils import register_all_modules


def test_fused_adamw_equals_foreach_after_ten_steps(small_brainformer):
    # the same gradients into both: an exact comparison of the updates
    # (the key bias of attention has a gradient of rounding noise only,
    # which Adam would amplify differently in two forward passes)
    torch.manual_seed(0)
    models = [small_brainformer()]
    models.append(copy.deepcopy(models[0]))
    start = copy.deepcopy(models[0])
    optims = [
        torch.optim.AdamW(m.parameters(), lr=1e-2, weight_decay=0.05, **kw)
        for m, kw in zip(models, [dict(fused=True), dict(foreach=True)])
    ]
    g = torch.Generator().manual_seed(1)
    for _ in range(10):
        grads = [torch.randn(p.shape, generator=g)
                 for p in models[0].parameters()]
        for model, optim in zip(models, optims):
            for p, grad in zip(model.parameters(), grads):
                p.grad = grad.clone()
            optim.step()
    for fused, foreach, before in zip(models[0].parameters(),
                                      models[1].parameters(),
                                      start.parameters()):
        torch.testing.assert_close(fused, foreach, atol=1e-6, rtol=1e-6)
        assert not torch.equal(fused, before)


def test_pretraining_configs_use_fused_adamw(repo_root):
    cfg = Config.fromfile(
        f'{repo_root}/configs/pretrain/brainformer_convnext_s.py')
    assert cfg.optim_wrapper.optimizer.fused is True
    assert cfg.env_cfg.cudnn_benchmark is True  # 224 px images throughout


def test_autocast_optim_wrapper_runs_bf16_without_a_scaler():
    register_all_modules()
    model = torch.nn.Linear(4, 2)
    wrapper = build_optim_wrapper(model, dict(
        type='AutocastOptimWrapper',
        optimizer=dict(type='AdamW', lr=0.1)))
    assert isinstance(wrapper, AutocastOptimWrapper)
    before = model.weight.detach().clone()
    with wrapper.optim_context(model):
        out = model(torch.randn(3, 4))
    assert out.dtype == torch.bfloat16
    wrapper.update_params(out.float().pow(2).sum())
    assert not torch.equal(before, model.weight)
    assert 'loss_scaler' not in wrapper.state_dict()
