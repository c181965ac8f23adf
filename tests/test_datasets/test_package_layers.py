"""What the modules of mmbrain.datasets import: the core never the demo
generator, the dataset never the preparation, nothing a subprocess or the
repository's path."""
import ast
import glob
import os.path as osp

import pytest

import mmbrain.datasets

PACKAGE = osp.dirname(mmbrain.datasets.__file__)


def imported(path: str) -> set:
    """The modules a file imports, relative imports made absolute."""
    with open(path, encoding='utf-8') as f:
        tree = ast.parse(f.read())
    rel = osp.relpath(path, osp.dirname(osp.dirname(PACKAGE)))
    package = rel[:-len('.py')].replace(osp.sep, '.').split('.')
    if not path.endswith('__init__.py'):
        package = package[:-1]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level \
                else []
            module = '.'.join(base + ([node.module] if node.module else []))
            names.add(module)
            names.update(f'{module}.{a.name}' for a in node.names)
    return names


def modules(*parts):
    return sorted(glob.glob(osp.join(PACKAGE, *parts, '**', '*.py'),
                            recursive=True))


@pytest.mark.parametrize('path', [
    p for p in modules() if not p.startswith(osp.join(PACKAGE, 'demo'))
], ids=lambda p: osp.relpath(p, PACKAGE))
def test_the_core_does_not_import_the_demo(path):
    demo = [n for n in imported(path)
            if n.startswith('mmbrain.datasets.demo')]
    assert not demo, f'{path} imports {demo}'


@pytest.mark.parametrize('path', [
    osp.join(PACKAGE, 'nsd_dataset.py'), *modules('transforms')
], ids=lambda p: osp.relpath(p, PACKAGE))
def test_the_readers_do_not_import_the_preparation(path):
    writers = [n for n in imported(path)
               if n.startswith('mmbrain.datasets.nsd.prepare')]
    assert not writers, f'{path} imports {writers}'


def test_no_subprocess_and_no_repository_path():
    for path in modules():
        names = imported(path)
        assert not {'subprocess', 'os.system'} & names, path
        with open(path, encoding='utf-8') as f:
            text = f.read()
        # __file__ only where the demo hashes its own package's code
        if '__file__' in text:
            assert path == osp.join(PACKAGE, 'demo', 'make.py'), path
