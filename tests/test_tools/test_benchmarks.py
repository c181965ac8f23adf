"""The benchmark scripts run and print their machine-readable last line
(small sizes; no timing is asserted)."""
import sys

from .test_train import ROOT, run_tool


def last_line(args):
    proc = run_tool([sys.executable] + args, None)
    assert proc.returncode == 0, proc.stderr[-3000:]
    pairs = dict(kv.split('=') for kv in proc.stdout.strip().split('\n')[-1]
                 .split())
    return {k: float(v) for k, v in pairs.items()}


def test_benchmark_encoder():
    out = last_line([
        'tools/analysis_tools/benchmark_encoder.py', '--quick', '--dim', '64',
        '--batch', '1'
    ])
    assert set(out) == {'speedup_vs_loop', 'flops_fraction', 'max_abs_diff',
                        'peak_mem_mb'}
    assert out['max_abs_diff'] < 1e-4


def test_benchmark_ridge():
    out = last_line([
        'tools/analysis_tools/benchmark_ridge.py', '--images', '200',
        '--features', '30', '--voxels', '50'
    ])
    assert out['voxels'] == 50


def test_benchmark_pretrain():
    out = last_line([
        'tools/analysis_tools/benchmark_pretrain.py',
        f'{ROOT}/configs/pretrain/demo/brainformer_convnext_demo.py',
        '--batch', '2', '--voxels', '200', '60', '80', '90', '70', '300'
    ])
    assert 0 <= out['encoder_share'] <= 1 and out['params_m'] > 1
