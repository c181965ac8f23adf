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
    prepare_subject(root, 1, osp.join(root, 'prepared'), progress=False)
    return root
