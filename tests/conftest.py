"""Fixtures shared across test modules."""
import os.path as osp

import pytest

from mmbrain.datasets.nsd import prepare_subject
from mmbrain.datasets.demo import DemoSpec, make_demo_nsd


@pytest.fixture(scope='session')
def small_demo_nsd(tmp_path_factory):
    """A demo NSD of one prepared subject (60 training images), written and
    prepared once per session; its root."""
    root = str(tmp_path_factory.mktemp('small_demo_nsd'))
    make_demo_nsd(root, DemoSpec(num_subjects=1, num_shared=10, num_own=60,
                                 num_unseen=2, num_downstream=4))
    prepare_subject(root, 1, osp.join(root, 'prepared'), progress=False,
                    allow_partial=True)
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
