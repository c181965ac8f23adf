"""A tiny model, dataset and kill switch for the tools' end-to-end tests.

Imported by configs through ``custom_imports``; registered in MMEngine's root
registries, which mmbrain's child registries fall back to.
"""
import os
import signal

import torch
from mmengine.dataset import BaseDataset
from mmengine.hooks import Hook
from mmengine.model import BaseModel
from mmengine.evaluator import BaseMetric
from mmengine.registry import DATASETS, HOOKS, METRICS, MODELS


@MODELS.register_module()
class ToyRegressor(BaseModel):
    """Linear regression; loss is the mean squared error."""

    def __init__(self, in_dim=4, out_dim=2):
        super().__init__()
        self.linear = torch.nn.Linear(in_dim, out_dim)

    def forward(self, inputs, targets=None, mode='tensor', sample_idx=None):
        pred = self.linear(torch.stack(inputs))
        if mode == 'loss':
            return dict(loss=((pred - torch.stack(targets))**2).mean())
        return pred


@DATASETS.register_module()
class ToyRegressionDataset(BaseDataset):
    """64 fixed samples of ``y = W x + noise``."""

    def __init__(self, num_samples=64, **kwargs):
        self.num_samples = num_samples
        super().__init__(serialize_data=False, **kwargs)

    def load_data_list(self):
        g = torch.Generator().manual_seed(0)
        x = torch.randn(self.num_samples, 4, generator=g)
        w = torch.randn(4, 2, generator=g)
        y = x @ w + 0.1 * torch.randn(self.num_samples, 2, generator=g)
        return [dict(inputs=a, targets=b) for a, b in zip(x, y)]


@METRICS.register_module()
class ToyMSEMetric(BaseMetric):
    """Mean squared error over the whole test set."""

    def process(self, data_batch, data_samples):
        targets = torch.stack(data_batch['targets'])
        preds = torch.stack(list(data_samples))
        self.results.append(((preds - targets)**2).sum().item())
        self.results.append(targets.numel())

    def compute_metrics(self, results):
        return dict(mse=sum(results[::2]) / sum(results[1::2]))


@HOOKS.register_module()
class KillAtIterHook(Hook):
    """SIGKILL this process after iteration ``$TOY_KILL_AT`` is saved."""

    priority = 'LOWEST'  # after CheckpointHook

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        kill_at = os.environ.get('TOY_KILL_AT')
        if kill_at and runner.iter + 1 == int(kill_at):
            os.kill(os.getpid(), signal.SIGKILL)


@HOOKS.register_module()
class RecordRankHook(Hook):
    """Save, per rank, the sample indices it trained on and its final
    weights to ``work_dir/rank{rank}.pth``."""

    def before_run(self, runner):
        self.seen = []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.seen.extend(int(i) for i in data_batch['sample_idx'])

    def after_run(self, runner):
        model = runner.model.module if hasattr(runner.model,
                                               'module') else runner.model
        torch.save(
            dict(seen=self.seen, state_dict=model.state_dict()),
            os.path.join(runner.work_dir, f'rank{runner.rank}.pth'))
