import shutil
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py


class BuildWithConfigs(build_py):
    """Builds the package with the repository's ``configs/`` inside it, as
    ``mmbrain/.mim/configs`` (where OpenMMLab's installed packages keep
    theirs; ``mmbrain.utils.packaged_config`` finds them): copied into a
    wheel, linked for an editable install."""

    def run(self):
        super().run()
        configs = Path(__file__).parent.absolute() / 'configs'
        if not configs.is_dir():
            return
        if self.editable_mode:
            link = configs.parent / 'mmbrain' / '.mim' / 'configs'
            link.parent.mkdir(exist_ok=True)
            if not link.is_symlink():
                link.symlink_to(Path('..', '..', 'configs'))
        else:
            shutil.copytree(configs,
                            Path(self.build_lib, 'mmbrain', '.mim',
                                 'configs'),
                            dirs_exist_ok=True)


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
    packages=find_packages(include=('mmbrain', 'mmbrain.*')),
    cmdclass=dict(build_py=BuildWithConfigs),
    python_requires='>=3.9',
    # mmcv must be built from source with its ops (see README, Installation).
    install_requires=['torch>=2.1', 'mmcv>=2.0.0,<2.2.0'] +
    read_requirements('runtime.txt'),
    extras_require=dict(tests=read_requirements('tests.txt')),
    license='Apache License 2.0',
)
