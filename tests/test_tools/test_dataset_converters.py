"""make_demo_nsd.py and prepare_nsd.py as a user runs them."""
import json
import os
import os.path as osp
import sys

import pytest


@pytest.fixture
def run(run_tool):
    """``run(script, *args)`` runs a Python script: its stdout."""
    return lambda *args: run_tool([sys.executable, *args]).stdout


def test_generate_then_prepare_twice(tmp_path, run):
    out = run('tools/dataset_converters/make_demo_nsd.py', str(tmp_path),
              '--num-subjects', '2', '--num-shared', '20', '--num-own', '30',
              '--seed', '1')
    assert 'demo NSD written to' in out
    first = run('tools/dataset_converters/prepare_nsd.py', str(tmp_path),
                '--subjects', '1', '2', '--allow-partial')
    assert ('subject 2 prepared: 50 images, 150 trials, 3 sessions (0 '
            'reused), PARTIAL: sessions 4-40 missing') in first
    assert 'dropped (NaN or constant)' in first
    assert osp.exists(tmp_path / 'prepared' / 'subj02.h5')
    again = run('tools/dataset_converters/prepare_nsd.py', str(tmp_path),
                '--subjects', '1', '2', '--allow-partial')
    assert 'subject 1 already prepared' in again


def test_failed_subject_is_named_while_the_others_finish(tmp_path, run,
                                                         run_tool):
    from mmbrain.datasets.nsd import layout
    run('tools/dataset_converters/make_demo_nsd.py', str(tmp_path),
        '--num-subjects', '3', '--num-shared', '10', '--num-own', '20')
    os.remove(layout.roi_path(str(tmp_path), 2, 'floc-faces'))
    args = [sys.executable, 'tools/dataset_converters/prepare_nsd.py',
            str(tmp_path), '--subjects', '1', '2', '3']
    refused = run_tool(args, check=False)
    assert refused.returncode == 1
    assert ('3 of the 32 sessions of NSD subject 3: sessions 4-32 are '
            'missing') in refused.stdout

    proc = run_tool(args + ['--allow-partial', '--workers', '2'],
                    check=False)
    assert proc.returncode == 1
    assert ('subject 2 FAILED: ' + layout.roi_path(str(tmp_path), 2,
                                                   'floc-faces') +
            ': file not found') in proc.stdout
    for subject in (1, 3):
        assert f'subject {subject} prepared: 30 images' in proc.stdout
        assert osp.exists(tmp_path / 'prepared' / f'subj0{subject}.h5')
    assert json.loads(proc.stdout.strip().splitlines()[-1])['failed'] == [2]
