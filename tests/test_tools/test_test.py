"""tools/test.py end to end on the toy model (CPU)."""
import json
import sys

import pytest
import torch


def test_prints_and_writes_the_metric(tmp_path, run_tool, train_toy,
                                      toy_config, toy_dataset):
    train_toy(tmp_path, '--cfg-options', 'train_cfg.max_iters=2')
    ckpt = tmp_path / 'iter_2.pth'
    out = tmp_path / 'metrics.json'
    proc = run_tool(
        [sys.executable, 'tools/test.py', toy_config,
         str(ckpt), '--out', str(out)], tmp_path / 'test')

    # the same number by hand, from the checkpoint's weights
    state = torch.load(ckpt)['state_dict']
    data = [toy_dataset[i] for i in range(len(toy_dataset))]
    x = torch.stack([d['inputs'] for d in data])
    y = torch.stack([d['targets'] for d in data])
    pred = x @ state['linear.weight'].T + state['linear.bias']
    expected = ((pred - y)**2).mean().item()

    assert json.loads(out.read_text())['mse'] == pytest.approx(
        expected, rel=1e-5)
    printed = [line for line in proc.stdout.splitlines()
               if line.startswith('mse')]
    assert printed and float(printed[-1].split()[-1]) == pytest.approx(
        expected, rel=1e-5)
