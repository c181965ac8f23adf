"""tools/misc/setup_env.sh and tools/misc/pip_offline.sh: the install from a
wheelhouse without the network (on tiny wheels written here), its one-line
failures, the detection of being offline, and the mmcv wheel cache that every
clone of the machine shares (``--where``; mmcv is never built here)."""
import base64
import hashlib
import http.server
import os
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
import threading
import zipfile
from pathlib import Path

import pytest

ADVICE = '(run make wheels on a machine with network)'
# the torch that requirements/torch.txt installs
TORCH = re.search(r'^torch *={2,3} *([^ ;#\n]+)',
                  Path(__file__).parents[2].joinpath(
                      'requirements', 'torch.txt').read_text(), re.M)[1]


def write_wheel(folder, name, version, requires=()):
    """Write the pure-Python wheel of ``name`` (one module, its name with
    ``_`` for ``-``) into ``folder``; returns its path."""
    module = name.replace('-', '_')
    info = f'{module}-{version}.dist-info'
    files = {
        f'{module}/__init__.py':
        f'VERSION = {version!r}\n',
        f'{info}/METADATA':
        f'Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n' +
        ''.join(f'Requires-Dist: {r}\n' for r in requires),
        f'{info}/WHEEL':
        'Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n'
        'Tag: py3-none-any\n',
    }
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(
            hashlib.sha256(text.encode()).digest()).rstrip(b'=').decode()
        record.append(f'{path},sha256={digest},{len(text.encode())}')
    files[f'{info}/RECORD'] = '\n'.join(record + [f'{info}/RECORD,,']) + '\n'
    folder.mkdir(parents=True, exist_ok=True)
    wheel = folder / f'{module}-{version}-py3-none-any.whl'
    with zipfile.ZipFile(wheel, 'w') as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return wheel


def clean_env(**extra):
    """This environment without pip's configuration (its files, its PIP_*
    variables) or the set-up's variables, with ``extra`` added."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(('PIP_', 'MMBRAIN_', 'XDG_', 'TORCH_CUDA'))
        and k not in ('VENV', 'MMCV_CUDA', 'PYTHONPATH')
    }
    env['PIP_CONFIG_FILE'] = os.devnull
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run(args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, timeout=120,
                          **kwargs)


def pip_offline(repo_root, wheelhouse, *args):
    return run(['bash', 'tools/misc/pip_offline.sh', str(wheelhouse),
                sys.executable, 'install', *args],
               cwd=repo_root, env=clean_env())


def test_offline_install_takes_the_wheelhouse_or_names_what_it_lacks(
        repo_root, tmp_path):
    wheelhouse = tmp_path / 'wheelhouse'
    write_wheel(wheelhouse, 'mmbrain-tiny-a', '1.0', ['mmbrain-tiny-b>=2'])
    tiny_b = write_wheel(wheelhouse, 'mmbrain-tiny-b', '2.1')
    reqs = tmp_path / 'reqs.txt'

    reqs.write_text('mmbrain-tiny-a==1.0\n')
    site = tmp_path / 'site'
    proc = pip_offline(repo_root, wheelhouse, '--target', site, '-r', reqs)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout + proc.stderr == ''
    # installed, with its dependency, and importable from there
    used = run([sys.executable, '-c',
                'import mmbrain_tiny_a, mmbrain_tiny_b; '
                'print(mmbrain_tiny_a.VERSION, mmbrain_tiny_b.VERSION)'],
               env=clean_env(PYTHONPATH=site))
    assert used.stdout.split() == ['1.0', '2.1'], used.stderr

    # a requirement of ours without a wheel: one line naming it
    reqs.write_text('mmbrain-tiny-a==1.0\nmmbrain-tiny-c==3.0\n')
    site = tmp_path / 'site2'
    proc = pip_offline(repo_root, wheelhouse, '--target', site, '-r', reqs)
    assert proc.returncode == 1
    assert proc.stdout == ''
    assert proc.stderr.splitlines() == [
        f"[setup] offline: no wheel for 'mmbrain-tiny-c==3.0' in {wheelhouse}"
        f' {ADVICE}'
    ]
    assert not (site / 'mmbrain_tiny_a').exists()  # nothing half-installed

    # a dependency without a wheel: named as the wheel that needs it says
    tiny_b.unlink()
    reqs.write_text('mmbrain-tiny-a==1.0\n')
    proc = pip_offline(repo_root, wheelhouse, '--target', site, '-r', reqs)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        f"[setup] offline: no wheel for 'mmbrain-tiny-b>=2' in {wheelhouse}"
        f' {ADVICE}'
    ]

    proc = pip_offline(repo_root, tmp_path / 'absent', 'mmbrain-tiny-a')
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        f'[setup] offline: no wheelhouse at {tmp_path / "absent"} {ADVICE}']


def test_offline_setup_stops_at_the_first_missing_wheel_in_one_line(
        repo_root, tmp_path):
    venv = tmp_path / 'venv'
    env = clean_env(VENV=venv, PYTHON=sys.executable, MMBRAIN_OFFLINE=1,
                    MMBRAIN_WHEELHOUSE=tmp_path / 'absent',
                    HOME=tmp_path / 'home')
    proc = run(['bash', 'tools/misc/setup_env.sh'], cwd=repo_root, env=env)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        '[setup] offline (MMBRAIN_OFFLINE=1) but no wheelhouse at '
        f'{tmp_path / "absent"}: run make wheels on a machine with network '
        'and copy it here (MMBRAIN_WHEELHOUSE)'
    ]
    assert not venv.exists()

    # a wheelhouse without `wheel`: the venv is made, then one line
    wheelhouse = tmp_path / 'wheelhouse'
    write_wheel(wheelhouse, 'ninja', '1.13.0')
    env['MMBRAIN_WHEELHOUSE'] = str(wheelhouse)
    proc = run(['bash', 'tools/misc/setup_env.sh'], cwd=repo_root, env=env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout.splitlines() == [
        f'[setup] offline (MMBRAIN_OFFLINE=1): installing from {wheelhouse}',
        f'[setup] creating {venv}',
    ]
    # the venv has its own setuptools or none; `wheel` is absent either way
    assert len(proc.stderr.splitlines()) == 1, proc.stderr
    assert proc.stderr.startswith("[setup] offline: no wheel for '")
    assert proc.stderr.rstrip().endswith(f"' in {wheelhouse} {ADVICE}")
    assert (venv / 'bin' / 'python').exists()


def fake_venv(tmp_path, torch_version):
    """A venv folder whose ``bin/python`` is this interpreter with a
    ``torch`` of ``torch_version`` first on its path (no real torch is
    imported)."""
    venv = tmp_path / f'venv-torch{torch_version}'
    (venv / 'bin').mkdir(parents=True)
    torch = venv / 'fake' / 'torch'
    torch.mkdir(parents=True)
    (torch / '__init__.py').write_text(f'__version__ = {torch_version!r}\n')
    python = venv / 'bin' / 'python'
    python.write_text('#!/bin/sh\n'
                      f'PYTHONPATH="{venv / "fake"}" exec "{sys.executable}"'
                      ' "$@"\n')
    python.chmod(0o755)
    return venv


def clone(repo_root, tmp_path, name):
    """A checkout with the set-up and torch's requirements alone, in its own
    folder."""
    root = tmp_path / name
    for path in ('tools/misc/setup_env.sh', 'requirements/torch.txt'):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(Path(repo_root, path), root / path)
    return root


def where(root, warnings=(), **env):
    """What ``setup_env.sh --where`` reports, as a dict, after checking
    that its warnings are ``warnings``."""
    proc = run(['bash', 'tools/misc/setup_env.sh', '--where'], cwd=root,
               env=clean_env(**env))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stderr.splitlines() == list(warnings)
    return dict(line.split('=', 1) for line in proc.stdout.splitlines())


def mmcv_wheel_name():
    """The name pip gives the mmcv wheel built by this interpreter."""
    tag = 'cp%d%d' % sys.version_info[:2]
    platform = sysconfig.get_platform().replace('-', '_').replace('.', '_')
    return f'mmcv-2.1.0-{tag}-{tag}{sys.abiflags}-{platform}.whl'


def test_every_clone_finds_the_mmcv_wheel_of_its_torch(repo_root, tmp_path):
    home = tmp_path / 'home'
    venv = fake_venv(tmp_path, f'{TORCH}+cu130')
    first, second = (clone(repo_root, tmp_path, name)
                     for name in ('first', 'second'))
    env = dict(HOME=home, VENV=venv, MMCV_CUDA=0)
    cache = home / '.cache' / 'mmbrain'

    found = where(first, **env)
    assert found == where(second, **env)
    assert found['wheel_cache'] == str(cache / 'wheels')
    assert found['wheelhouse'] == str(cache / 'wheelhouse')
    assert found['mmcv_dir'] == str(cache / 'wheels' /
                                    f'mmcv-2.1.0-cpu-torch{TORCH}+cu130')
    assert found['mmcv_wheel'] == ''

    # the first clone's build, found by the second
    wheel = Path(found['mmcv_dir'], mmcv_wheel_name())
    wheel.parent.mkdir(parents=True)
    wheel.write_bytes(b'built once')
    assert where(second, **env)['mmcv_wheel'] == str(wheel)

    # not for another torch (which is not the supported one, and says so),
    # nor for the CUDA ops, whose GPUs are named
    venv = fake_venv(tmp_path, '2.5.1')
    other = where(second, warnings=[
        f'[setup] warning: {venv} imports torch 2.5.1 from {venv}/fake/torch,'
        f' not the supported {TORCH} of requirements/torch.txt (PYTHONPATH'
        ' puts it first?): mmcv is built against it, and the stack is'
        ' untested with it'
    ], **dict(env, VENV=venv))
    assert other['mmcv_dir'].endswith('/mmcv-2.1.0-cpu-torch2.5.1')
    assert other['mmcv_wheel'] == ''
    cuda = where(second, **dict(env, MMCV_CUDA=1,
                                TORCH_CUDA_ARCH_LIST='8.0;9.0'))
    assert cuda['mmcv_dir'] == str(
        cache / 'wheels' / f'mmcv-2.1.0-cuda-arch80-90-torch{TORCH}+cu130')
    assert cuda['mmcv_wheel'] == ''

    # XDG_CACHE_HOME moves the cache; MMBRAIN_WHEEL_CACHE the wheels alone
    xdg = where(second, XDG_CACHE_HOME=tmp_path / 'xdg', **env)
    assert xdg['wheel_cache'] == str(tmp_path / 'xdg' / 'mmbrain' / 'wheels')
    assert xdg['mmcv_wheel'] == ''
    moved = where(second, MMBRAIN_WHEEL_CACHE=tmp_path / 'mine', **env)
    assert moved['mmcv_dir'].startswith(str(tmp_path / 'mine') + '/')
    assert moved['wheelhouse'] == str(cache / 'wheelhouse')

    # a clone set up before the cache moved: its own .cache/wheels is used
    old = Path(second, '.cache', 'wheels', 'mmcv-2.1.0-cpu', mmcv_wheel_name())
    old.parent.mkdir(parents=True)
    old.write_bytes(b'built before')
    assert where(second, XDG_CACHE_HOME=tmp_path / 'xdg',
                 **env)['mmcv_wheel'] == str(old.relative_to(second))
    assert where(second, **env)['mmcv_wheel'] == str(wheel)  # shared first


def closed_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def test_offline_when_told_or_when_the_index_does_not_answer(
        repo_root, tmp_path):
    root = clone(repo_root, tmp_path, 'clone')
    wheelhouse = tmp_path / 'wheelhouse'
    env = dict(HOME=tmp_path / 'home', MMBRAIN_WHEELHOUSE=wheelhouse)

    def offline(**extra):
        return where(root, **dict(env, **extra))['offline']

    assert offline(MMBRAIN_OFFLINE=1) == 'MMBRAIN_OFFLINE=1'
    # without a wheelhouse pip keeps its own configuration, and the index
    # is not even asked
    silent = f'http://127.0.0.1:{closed_port()}/simple/'
    assert offline(PIP_NO_INDEX=1) == ''
    assert offline(PIP_INDEX_URL=silent) == ''

    wheelhouse.mkdir()
    assert offline(PIP_NO_INDEX=1) == 'PIP_NO_INDEX=1'
    assert offline(PIP_NO_INDEX=1, MMBRAIN_OFFLINE=0) == ''
    assert offline(PIP_INDEX_URL=silent) == f'{silent} does not answer'
    server = http.server.HTTPServer(('127.0.0.1', 0),
                                    http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        # any answer counts, a 404 too
        answering = f'http://127.0.0.1:{server.server_port}/no-such/'
        assert offline(PIP_INDEX_URL=answering) == ''
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize('script', ['setup_env.sh', 'pip_offline.sh',
                                    'download_wheels.sh'])
def test_the_scripts_answer_help_and_refuse_unknown_arguments(
        repo_root, script):
    path = f'tools/misc/{script}'
    proc = run(['bash', path, '--help'], cwd=repo_root, env=clean_env())
    assert proc.returncode == 0 and proc.stdout.strip(), proc.stderr
    if script != 'pip_offline.sh':
        proc = run(['bash', path, '--no-such-option'], cwd=repo_root,
                   env=clean_env())
        assert proc.returncode == 2
        assert proc.stderr.splitlines() == [
            f'{script}: error: unknown argument --no-such-option '
            '(see --help)'
        ]
