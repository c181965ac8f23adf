"""What the modules of mmbrain import: no layer the demo generator but the
demo itself, the readers never the preparation, the library never the
study, test-only code or a subprocess, and no path but its own package's."""
import ast
import glob
import os.path as osp

import pytest

import mmbrain

LIBRARY = osp.dirname(mmbrain.__file__)
PACKAGE = osp.join(LIBRARY, 'datasets')


def imported(path: str) -> set:
    """The modules a file imports, relative imports made absolute."""
    with open(path, encoding='utf-8') as f:
        tree = ast.parse(f.read())
    rel = osp.relpath(path, osp.dirname(LIBRARY))
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


def modules(*parts, root=PACKAGE):
    return sorted(glob.glob(osp.join(root, *parts, '**', '*.py'),
                            recursive=True))


@pytest.mark.parametrize('path', [
    p for p in modules(root=LIBRARY)
    if not p.startswith(osp.join(PACKAGE, 'demo'))
], ids=lambda p: osp.relpath(p, LIBRARY))
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


@pytest.mark.parametrize('path', modules(root=LIBRARY),
                         ids=lambda p: osp.relpath(p, LIBRARY))
def test_no_study_no_test_code_no_subprocess_no_repository_path(path):
    names = imported(path)
    assert not {'subprocess', 'os.system'} & names, path
    assert not any(n.split('.')[0] == 'projects' for n in names), path
    if not path.startswith(osp.join(LIBRARY, 'testing')):
        assert not any(n.startswith('mmbrain.testing') for n in names), path
    with open(path, encoding='utf-8') as f:
        text = f.read()
    # __file__ only where the demo hashes its own package's code and where
    # the installed configs are found inside the package
    if '__file__' in text:
        assert path in (osp.join(PACKAGE, 'demo', 'make.py'),
                        osp.join(LIBRARY, 'utils', 'packaged_configs.py'))
