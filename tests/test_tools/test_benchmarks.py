"""The benchmark scripts run and print their machine-readable last line
(small sizes; no timing is asserted)."""
import sys

import pytest


@pytest.fixture
def last_line(run_tool):
    """``last_line(args)`` runs a Python script: the ``key=value`` pairs
    of the last line it prints."""

    def run(args):
        proc = run_tool([sys.executable] + args)
        pairs = dict(kv.split('=')
                     for kv in proc.stdout.strip().split('\n')[-1].split())
        return {k: float(v) for k, v in pairs.items()}

    return run


def test_benchmark_encoder(last_line):
    out = last_line([
        'tools/analysis_tools/benchmark_encoder.py', '--quick', '--dim', '64',
        '--batch', '2'
    ])
    assert out['max_abs_diff'] < 1e-4
    assert out['syncs_per_step'] == 0 and out['ops_per_step'] > 100
    # packed: no padding, and LayerNorm+QKV once per token, not per window
    assert 0.5 < out['gflops_per_sample'] / out[
        'valid_gflops_per_sample'] < 1


def test_benchmark_encoder_baseline(last_line):
    """Against the committed tree: the same function, op for op."""
    out = last_line([
        'tools/analysis_tools/benchmark_encoder.py', '--quick', '--dim', '32',
        '--batch', '2', '--no-scaling', '--baseline', 'HEAD'
    ])
    assert out['baseline_diff'] == 0
    assert out['baseline_ops_per_step'] == out['ops_per_step']
    assert out['baseline_gflops_per_sample'] == out['gflops_per_sample']
    assert out['speedup_vs_baseline'] > 0


def test_benchmark_ridge(last_line):
    out = last_line([
        'tools/analysis_tools/benchmark_ridge.py', '--images', '200',
        '--features', '30', '--voxels', '50'
    ])
    assert out['voxels'] == 50


def test_benchmark_ridge_himalaya(last_line):
    out = last_line([
        'tools/analysis_tools/benchmark_ridge.py', '--images', '200',
        '--features', '30', '--voxels', '50', '--test-images', '40',
        '--himalaya', 'torch', 'numpy'
    ])
    methods = ['ours_kfold', 'himalaya_torch', 'himalaya_numpy', 'ours_loo']
    assert set(out) == {f'{m}_{k}' for m in methods
                        for k in ('s', 'alpha_agree', 'pred_diff')
                        } | {'images', 'features', 'voxels'}
    for m in methods[1:3]:
        assert out[f'{m}_alpha_agree'] == 1 and out[f'{m}_pred_diff'] < 1e-4


# MindEye groups the batch by subject on the device: unique, then nonzero
# per subject (two here); it reads one ROI, nsdgeneral
@pytest.mark.parametrize('name,syncs,voxels',
                         [('brainformer', 0, [200, 60, 80, 90, 70, 300]),
                          ('mindeye', 3, [500])])
def test_benchmark_pretrain(name, syncs, voxels, last_line, demo_config):
    config = demo_config.replace('brainformer', name)
    out = last_line([
        'tools/analysis_tools/benchmark_pretrain.py', config,
        '--batch', '2', '--voxels', *map(str, voxels)
    ])
    assert 0 <= out['encoder_share'] <= 1 and out['params_m'] > 1
    assert out['syncs_per_step'] == syncs and out['ops_per_step'] > 100


def test_benchmark_pretrain_voxels_follow_the_rois(run_tool, demo_config):
    proc = run_tool([
        sys.executable, 'tools/analysis_tools/benchmark_pretrain.py',
        demo_config.replace('brainformer', 'mindeye'), '--voxels', '10', '20'
    ], check=False)
    assert proc.returncode == 1
    assert ('mindeye_convnext_demo.py: the encoder takes 1 ROIs; give '
            '--voxels with 1 counts (got [10, 20])') in proc.stderr


def test_benchmark_pretrain_baseline(last_line, demo_config):
    out = last_line([
        'tools/analysis_tools/benchmark_pretrain.py', demo_config,
        '--batch', '2', '--voxels', '100', '30', '40', '50', '40', '150',
        '--baseline', 'HEAD'
    ])
    assert out['baseline_ops_per_step'] == out['ops_per_step']
    assert out['speedup_vs_baseline'] > 0


def test_benchmark_prepare(last_line, tmp_path):
    out = last_line([
        'tools/analysis_tools/benchmark_prepare.py', '--sessions', '1', '2',
        '--voxels', '600', '--trials', '30', '--volume', '12', '10', '8',
        '--work-dir', str(tmp_path), '--mindeye2'
    ])
    assert set(out) == {'peak_rss_ratio', 'first_s_per_session',
                        'last_s_per_session', 'last_gb_per_s',
                        'last_mindeye2_s_per_session', 'first_peak_rss_mb',
                        'last_peak_rss_mb'}
    assert out['last_peak_rss_mb'] > 0
    assert out['last_mindeye2_s_per_session'] > 0
