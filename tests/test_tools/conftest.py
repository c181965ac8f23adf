"""Fixtures of the tools' end-to-end tests: training the toy model of
``toy_config.py`` and ``toy_modules.py``, a free port, a small disk."""
import socket
import subprocess
import sys

import pytest


@pytest.fixture(scope='session')
def train_toy(run_tool, toy_config):
    """``train_toy(work_dir, *extra, check=True, **env)`` runs
    tools/train.py on the toy config with the arguments ``extra``."""

    def train(work_dir, *extra, check=True, **env_vars):
        return run_tool([sys.executable, 'tools/train.py', toy_config,
                         *extra], work_dir, check, **env_vars)

    return train


@pytest.fixture
def toy_dataset():
    """The toy config's dataset: 64 samples of ``y = W x + noise``."""
    from .toy_modules import ToyRegressionDataset
    return ToyRegressionDataset()


@pytest.fixture
def free_port():
    """A TCP port free on this machine."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.fixture
def small_disk(tmp_path):
    """``small_disk(kib)`` mounts a tmpfs of that size (a small file system
    that fills up) and returns its path; called again, it resizes it.
    Skips where mounting is not allowed (not root, no CAP_SYS_ADMIN)."""
    mount = tmp_path / 'disk'
    mount.mkdir()
    mounted = []

    def make(kib: int) -> str:
        args = (['mount', '-o', f'remount,size={kib}k', str(mount)]
                if mounted else
                ['mount', '-t', 'tmpfs', '-o', f'size={kib}k', 'tmpfs',
                 str(mount)])
        try:
            proc = subprocess.run(args, capture_output=True, text=True)
        except OSError as e:  # no mount command
            pytest.skip(f'cannot mount a small file system: {e}')
        if proc.returncode:
            pytest.skip('cannot mount a small file system: '
                        f'{proc.stderr.strip()}')
        mounted.append(kib)
        return str(mount)

    yield make
    if mounted:
        subprocess.run(['umount', str(mount)], check=True)
