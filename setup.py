from pathlib import Path

from setuptools import find_packages, setup


def read_requirements(name):
    """Requirement lines of ``requirements/<name>.txt`` without comments."""
    lines = Path(__file__).parent.joinpath('requirements', name).read_text()
    return [
        line.split('#')[0].strip() for line in lines.splitlines()
        if line.split('#')[0].strip()
    ]


def get_version():
    scope = {}
    exec(Path(__file__).parent.joinpath('mmbrain', 'version.py').read_text(),
         scope)
    return scope['__version__']


setup(
    name='mmbrain',
    version=get_version(),
    description='Brain-guided pretraining of vision backbones (Brainformer) '
    'as an OpenMMLab plugin',
    long_description=Path(__file__).parent.joinpath('README.md').read_text(),
    long_description_content_type='text/markdown',
    packages=find_packages(exclude=('configs', 'tools', 'tests')),
    python_requires='>=3.9',
    # mmcv must be built from source with its ops (see README, Installation).
    install_requires=['torch>=2.1', 'mmcv>=2.0.0,<2.2.0'] +
    read_requirements('runtime.txt'),
    extras_require=dict(tests=read_requirements('tests.txt')),
    license='Apache License 2.0',
)
