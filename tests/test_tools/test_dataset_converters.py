"""make_demo_nsd.py and prepare_nsd.py as a user runs them."""
import os.path as osp
import subprocess
import sys

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def run(*args):
    proc = subprocess.run([sys.executable, *args],
                          cwd=ROOT,
                          capture_output=True,
                          text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_generate_then_prepare_twice(tmp_path):
    out = run('tools/dataset_converters/make_demo_nsd.py', str(tmp_path),
              '--num-subjects', '2', '--num-shared', '20', '--num-own', '30',
              '--seed', '1')
    assert 'demo NSD written to' in out
    first = run('tools/dataset_converters/prepare_nsd.py', str(tmp_path),
                '--subjects', '1', '2')
    assert 'subject 2 prepared: 50 images, 150 trials, 3 sessions' in first
    assert 'dropped (NaN or constant)' in first
    assert osp.exists(tmp_path / 'prepared' / 'subj02.h5')
    again = run('tools/dataset_converters/prepare_nsd.py', str(tmp_path),
                '--subjects', '1', '2')
    assert 'subject 1 already prepared' in again
