"""mmbrain's registry nodes and how other libraries reach them."""
import importlib
import subprocess
import sys

import pytest
from mmengine import registry as mmengine_registry
from mmengine.registry import DefaultScope, Registry

from mmbrain import registry
from mmbrain.utils import register_all_modules

NODES = sorted(
    name for name, value in vars(registry).items()
    if isinstance(value, Registry))


def test_a_node_under_every_root_but_inferencers():
    roots = {
        name
        for name, value in vars(mmengine_registry.root).items()
        if isinstance(value, Registry)
    }
    assert set(NODES) == roots - {'INFERENCERS'}


@pytest.mark.parametrize('name', NODES)
def test_nodes_are_children_of_mmengine_roots(name):
    node = getattr(registry, name)
    root = getattr(mmengine_registry, name)
    assert node.scope == 'mmbrain'
    assert node.parent is root
    assert root.children['mmbrain'] is node
    for location in node._locations:
        importlib.import_module(location)


def run_python(code):
    proc = subprocess.run([sys.executable, '-c', code],
                          capture_output=True,
                          text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_lazy_lookup_imports_the_module():
    # a fresh interpreter: only the registry module is imported by hand
    out = run_python(
        'import sys\n'
        'from mmbrain.registry import MODELS\n'
        'assert "mmbrain.models" not in sys.modules\n'
        'print(MODELS.get("TimmFeatureBackbone").__module__)\n')
    assert out.strip() == 'mmbrain.models.backbones.timm_feature_backbone'


@pytest.mark.parametrize('library', ['mmdet', 'mmseg', 'mmpretrain'])
def test_scoped_name_from_other_libraries(library):
    out = run_python(
        f'from {library}.registry import MODELS\n'
        'from mmengine.registry import DefaultScope\n'
        f'with DefaultScope.overwrite_default_scope("{library}"):\n'
        '    cls = MODELS.get("mmbrain.TimmFeatureBackbone")\n'
        'print(cls.__name__)\n')
    assert out.strip() == 'TimmFeatureBackbone'


def test_register_all_modules_sets_default_scope():
    register_all_modules()
    assert DefaultScope.get_current_instance().scope_name == 'mmbrain'
    assert registry.MODELS.get('TimmFeatureBackbone') is not None
