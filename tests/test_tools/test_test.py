"""tools/test.py end to end on the toy model (CPU)."""
import json
import sys

import pytest
import torch

from .test_train import CONFIG, assert_ok, run_tool, train
from .toy_modules import ToyRegressionDataset


def test_prints_and_writes_the_metric(tmp_path):
    assert_ok(train(tmp_path, '--cfg-options', 'train_cfg.max_iters=2'))
    ckpt = tmp_path / 'iter_2.pth'
    out = tmp_path / 'metrics.json'
    proc = run_tool(
        [sys.executable, 'tools/test.py', CONFIG,
         str(ckpt), '--out', str(out)], tmp_path / 'test')
    assert_ok(proc)

    # the same number by hand, from the checkpoint's weights
    state = torch.load(ckpt)['state_dict']
    data = ToyRegressionDataset()
    x = torch.stack([data[i]['inputs'] for i in range(len(data))])
    y = torch.stack([data[i]['targets'] for i in range(len(data))])
    pred = x @ state['linear.weight'].T + state['linear.bias']
    expected = ((pred - y)**2).mean().item()

    assert json.loads(out.read_text())['mse'] == pytest.approx(
        expected, rel=1e-5)
    printed = [line for line in proc.stdout.splitlines()
               if line.startswith('mse')]
    assert printed and float(printed[-1].split()[-1]) == pytest.approx(
        expected, rel=1e-5)

