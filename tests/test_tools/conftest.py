"""Fixtures of the tools' end-to-end tests: tools run in a subprocess, and
the toy model of ``toy_config.py`` and ``toy_modules.py``."""
import os
import os.path as osp
import socket
import subprocess
import sys

import pytest

HERE = osp.dirname(osp.abspath(__file__))


@pytest.fixture(scope='session')
def run_tool(repo_root):
    """``run_tool(args, work_dir=None, check=True, **env)`` runs the command
    ``args`` from the repository's root, with ``--work-dir work_dir`` unless
    it is None, the toy modules importable and ``env`` added to the
    environment, and returns its ``CompletedProcess``; with ``check``, it
    asserts first that the command succeeded."""

    def run(args, work_dir=None, check=True, **env_vars):
        paths = [HERE, repo_root, os.environ.get('PYTHONPATH', '')]
        env = dict(os.environ,
                   PYTHONPATH=os.pathsep.join(filter(None, paths)))
        env.pop('TOY_KILL_AT', None)
        env.update(env_vars)
        proc = subprocess.run(
            args + (['--work-dir', str(work_dir)] if work_dir else []),
            cwd=repo_root,
            env=env,
            capture_output=True,
            text=True,
            timeout=300)
        if check:
            assert proc.returncode == 0, (proc.stdout[-3000:] +
                                          proc.stderr[-3000:])
        return proc

    return run


@pytest.fixture(scope='session')
def toy_config():
    """The path of the toy model's config."""
    return osp.join(HERE, 'toy_config.py')


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
