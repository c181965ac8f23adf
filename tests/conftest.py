"""Fixtures shared across test modules."""
import os
import os.path as osp
import subprocess

import numpy as np
import pytest

from mmbrain.datasets.demo import DemoSpec, make_demo_nsd
from mmbrain.datasets.nsd import layout, prepare_subject, raw_writer

# the toy model that tools/ tests train
TOY_MODULES = osp.join(osp.dirname(osp.abspath(__file__)), 'test_tools')


def pytest_configure(config):
    """Under pytest-xdist (``make test`` runs a worker per core), each
    worker and the commands its tests run use one thread, so that the
    workers do not oversubscribe the cores."""
    if os.environ.get('PYTEST_XDIST_WORKER'):
        import torch
        os.environ.update(OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
        torch.set_num_threads(1)


class MiniNSD:
    """A hand-built NSD in the real layout, small enough to check by hand:
    each subject sees 4 images twice over 2 sessions of 4 trials, in a
    3 x 2 x 2 volume with two ROI groups; voxel (2, 1, 1) is constant in
    session 2 of every subject."""
    rois = ('prf-visualrois', 'floc-faces')
    roi_ijk = {
        'prf-visualrois': [(0, 0, 0), (1, 0, 0), (2, 1, 1)],
        'floc-faces': [(0, 1, 1), (1, 0, 0)],
    }
    shape = (3, 2, 2)
    affine = np.array([[0, 2, 0, 1], [1, 0, 0, 2], [0, 0, 3, 4],
                       [0, 0, 0, 1.]])
    masterordering = [0, 1, 0, 2, 3, 1, 2, 3]  # columns of subjectim
    subjectim = [[0, 1, 2, 3], [0, 1, 4, 5]]  # nsdIds per subject
    num_images = 7
    trials = 4

    def betas(self, subject, session):
        """(T, X, Y, Z) int16, the values stored."""
        rng = np.random.default_rng([subject, session])
        data = rng.integers(-900, 900, (self.trials, ) + self.shape,
                            dtype=np.int16)
        if session == 2:
            data[:, 2, 1, 1] = 7
        return data

    def build(self, root, subjects=(1, 2)):
        """Write it under ``root`` for ``subjects``; returns the root."""
        root = str(root)
        raw_writer.write_expdesign(root, np.array(self.masterordering),
                                   np.array(self.subjectim), np.arange(2))
        raw_writer.write_stim_info(
            root, 1000 + np.arange(self.num_images),
            ['train2017'] * self.num_images, np.arange(self.num_images) < 2)
        raw_writer.write_stimuli(
            root, np.arange(self.num_images * 4 * 4 * 3).reshape(
                self.num_images, 4, 4, 3).astype(np.uint8))
        for subject in subjects:
            labels = {}
            for roi, ijk in self.roi_ijk.items():
                labels[roi] = np.zeros(self.shape, dtype=np.int32)
                labels[roi][tuple(np.transpose(ijk))] = 1
            raw_writer.write_rois(root, subject, labels, self.affine)
            for session in (1, 2):
                raw_writer.write_betas(root, subject, session,
                                       [self.betas(subject, session)])
        return root

    def expected_responses(self, subject, ijk):
        """(nsdIds, (images, voxels)): the mean over repeats of per-session
        z-scores, computed by hand."""
        per_image = {}
        for session in (1, 2):
            stored = self.betas(subject, session)
            for v, (i, j, k) in enumerate(ijk):
                series = [stored[t, i, j, k] / 300 for t in range(self.trials)]
                mean = sum(series) / self.trials
                std = (sum((b - mean)**2 for b in series) / self.trials)**0.5
                for t in range(self.trials):
                    trial = (session - 1) * self.trials + t
                    nsd_id = self.subjectim[subject - 1][
                        self.masterordering[trial]]
                    per_image.setdefault(nsd_id, [[] for _ in ijk])[v].append(
                        (series[t] - mean) / std)
        ids = sorted(per_image)
        return ids, np.array([[sum(z) / len(z) for z in per_image[n]]
                              for n in ids])


@pytest.fixture(scope='session')
def mini_nsd():
    """:class:`MiniNSD`: ``mini_nsd.build(root, subjects)`` and what the
    tests check against."""
    return MiniNSD()


@pytest.fixture(scope='session')
def small_demo_nsd(tmp_path_factory):
    """A demo NSD of one prepared subject (60 training images), written and
    prepared once per session with the six ROI groups and nsdgeneral, as
    ``make demo`` prepares it; its root."""
    root = str(tmp_path_factory.mktemp('small_demo_nsd'))
    make_demo_nsd(root, DemoSpec(num_subjects=1, num_shared=10, num_own=60,
                                 num_unseen=2, num_downstream=4))
    prepare_subject(root, 1, osp.join(root, 'prepared'), progress=False,
                    allow_partial=True,
                    rois=layout.ROI_GROUPS + ('nsdgeneral', ))
    return root


@pytest.fixture(scope='session')
def raw_demo_nsd(tmp_path_factory):
    """A demo NSD of one subject (300 images, 3 sessions) in the raw
    layout, not prepared; its root. Tests prepare it into their own
    ``--out-dir``."""
    root = str(tmp_path_factory.mktemp('raw_demo_nsd'))
    make_demo_nsd(root, DemoSpec(num_subjects=1, num_downstream=4))
    return root


@pytest.fixture(scope='session')
def cache_arrays():
    """``cache_arrays(path)``: every dataset of a prepared cache and its
    attributes but the report (whose counts of reused sessions differ
    between a fresh and a resumed run), by name."""
    import h5py

    def read(path):
        arrays = {}
        with h5py.File(path, 'r') as f:
            f.visititems(lambda name, item: arrays.__setitem__(
                name, item[()]) if isinstance(item, h5py.Dataset) else None)
            arrays.update({f'@{k}': v for k, v in f.attrs.items()
                           if k != 'report'})
        return arrays

    return read


@pytest.fixture(scope='session')
def repo_root():
    """The repository's root, where configs/ and tools/ are."""
    return osp.dirname(osp.dirname(osp.abspath(__file__)))


@pytest.fixture(scope='session')
def demo_config(repo_root):
    """The path of the demo pretraining config."""
    return osp.join(repo_root, 'configs', 'pretrain', 'demo',
                    'brainformer_convnext_demo.py')


@pytest.fixture(scope='session')
def demo_model(demo_config):
    """``demo_model(**head)`` builds the demo config's pretrainer, its head
    settings updated by ``head``."""
    from mmengine.config import Config

    from mmbrain.registry import MODELS
    from mmbrain.utils import register_all_modules

    def build(**head):
        register_all_modules()
        cfg = Config.fromfile(demo_config).model
        cfg.head.update(head)
        return MODELS.build(cfg)

    return build


@pytest.fixture(scope='session')
def small_brainformer():
    """``small_brainformer(**kwargs)`` builds a BrainformerEncoder for 3
    ROIs with 32 channels and short kernels and windows; ``kwargs``
    override its arguments."""
    from mmbrain.models import BrainformerEncoder
    small = dict(num_rois=3, embed_dims=32, kernel_size=8, token_stride=4,
                 window_size=4, window_stride=2, num_heads=4)

    def build(**kwargs):
        return BrainformerEncoder(**{**small, **kwargs})

    return build


@pytest.fixture
def brain_data():
    """``fmri, coords`` (:func:`mmbrain.testing.fake_brain_data`) of 3
    samples x 3 ROIs for :func:`small_brainformer`: ROIs of several windows,
    of one window, and one shorter than a kernel."""
    from mmbrain.testing import fake_brain_data
    return fake_brain_data([[61, 9, 30], [23, 40, 5], [100, 17, 12]])


@pytest.fixture(scope='session')
def build_mmdet():
    """``build_mmdet(cfg)`` builds ``cfg.model`` in mmdet's scope."""
    from mmdet.registry import MODELS
    from mmengine.registry import DefaultScope

    def build(cfg):
        with DefaultScope.overwrite_default_scope('mmdet'):
            return MODELS.build(cfg.model)

    return build


@pytest.fixture(scope='session')
def run_tool(repo_root):
    """``run_tool(args, work_dir=None, check=True, **env)`` runs the command
    ``args`` from the repository's root, with ``--work-dir work_dir`` unless
    it is None, the toy modules of ``tests/test_tools`` importable and ``env`` added to the
    environment, and returns its ``CompletedProcess``; with ``check``, it
    asserts first that the command succeeded."""

    def run(args, work_dir=None, check=True, **env_vars):
        paths = [TOY_MODULES, repo_root, os.environ.get('PYTHONPATH', '')]
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
    """The path of the toy model's config (``tests/test_tools``)."""
    return osp.join(TOY_MODULES, 'toy_config.py')


@pytest.fixture
def tiny_disk(tmp_path):
    """A folder on a 1 MiB tmpfs, a file system that fills as a real disk
    does (ENOSPC); skips where mounting is not allowed (not root)."""
    folder = tmp_path / 'tiny_disk'
    folder.mkdir()
    mounted = subprocess.run(
        ['mount', '-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', str(folder)],
        capture_output=True)
    if mounted.returncode:
        pytest.skip('cannot mount a 1 MiB tmpfs here (needs root)')
    yield folder
    subprocess.run(['umount', str(folder)], check=True)


@pytest.fixture(scope='session')
def flip_chunk_bytes():
    """``flip_chunk_bytes(path, dataset, chunk=0, count=64)`` damages the
    first ``count`` bytes (at most all) of an HDF5 dataset's chunk in place,
    as a bad disk or a stray write would (the file keeps its size)."""
    import h5py

    def flip(path, dataset, chunk=0, count=64):
        with h5py.File(path, 'r') as f:
            info = f[dataset].id.get_chunk_info(chunk)
        with open(path, 'r+b') as f:
            f.seek(info.byte_offset)
            data = f.read(min(count, info.size))
            f.seek(info.byte_offset)
            # not ^ 0xff: fletcher32 sums 16-bit words modulo 65535, so the
            # complement of a chunk and of its checksum would pass
            f.write(bytes(b ^ 0x5a for b in data))

    return flip
