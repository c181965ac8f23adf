"""mmbrain installed with ``pip install .`` (not editable) and used from
outside the checkout: its configs read from the package, a demo NSD written
and prepared, a pretraining run through mmengine's runner, and the readout
fitted."""
import os
import os.path as osp
import shutil
import subprocess
import sys
import textwrap

# what the package is built from (setup.py reads the README and the
# requirements, and copies configs/ into the package)
SOURCES = ('mmbrain', 'configs', 'requirements', 'setup.py', 'README.md')

USE = textwrap.dedent('''
    import os.path as osp
    import sys
    from importlib.util import find_spec

    import mmbrain
    from mmengine.config import Config
    from mmengine.runner import Runner

    from mmbrain.datasets.demo import DemoSpec, make_demo_nsd
    from mmbrain.datasets.nsd import layout, prepare_subject
    from mmbrain.apis import fit_readout
    from mmbrain.registry import MODELS
    from mmbrain.utils import packaged_config, register_all_modules

    site, checkout, data = sys.argv[1:4]
    assert mmbrain.__file__.startswith(site), mmbrain.__file__
    assert checkout not in sys.path and find_spec('projects') is None
    register_all_modules()
    for name in ('BrainformerEncoder', 'BrainAlignHead',
                 'BrainGuidedPretrainer', 'PooledFeatures'):
        assert MODELS.get(name) is not None, name

    make_demo_nsd(data, DemoSpec(num_subjects=2, num_shared=10, num_own=40,
                                 num_unseen=2, num_downstream=4))
    for subject in (1, 2):
        prepare_subject(data, subject, osp.join(data, 'prepared'),
                        progress=False, allow_partial=True,
                        rois=layout.ROI_GROUPS)

    cfg = Config.fromfile(
        packaged_config('pretrain/demo/brainformer_convnext_demo.py'))
    for split in ('train', 'val', 'test'):
        cfg[f'{split}_dataloader'].dataset.data_root = data
        cfg[f'{split}_dataloader'].dataset.subjects = [1]
    cfg.train_cfg = dict(by_epoch=True, max_epochs=1, val_interval=1)
    cfg.work_dir = osp.join(data, 'work_dir')
    Runner.from_cfg(cfg).train()
    print('trained', flush=True)

    cfg = Config.fromfile(
        packaged_config('encoding/demo/ridge_convnext_demo_random.py'))
    cfg.data_root = data
    for split in ('train', 'test'):
        cfg[f'{split}_dataloader'].dataset.data_root = data
        cfg[f'{split}_dataloader'].dataset.subjects = [2]
    fit = fit_readout(cfg)
    print('readout', fit, flush=True)
''')


def test_installed_package_works_outside_the_checkout(repo_root, tmp_path):
    source = tmp_path / 'source'
    source.mkdir()
    for name in SOURCES:
        path = osp.join(repo_root, name)
        if osp.isdir(path):
            shutil.copytree(path, source / name,
                            ignore=shutil.ignore_patterns('__pycache__'))
        else:
            shutil.copy(path, source / name)
    site = tmp_path / 'site'
    subprocess.run([
        sys.executable, '-m', 'pip', 'install', '--quiet', '--no-deps',
        '--no-build-isolation', '--no-index', '--target', str(site),
        str(source)
    ], check=True, capture_output=True)
    configs = site / 'mmbrain' / '.mim' / 'configs'
    assert (configs / 'pretrain' / 'brainformer_convnext_s.py').is_file()
    assert not configs.is_symlink()
    assert not (site / 'projects').exists()

    elsewhere = tmp_path / 'elsewhere'
    elsewhere.mkdir()
    (elsewhere / 'use.py').write_text(USE)
    env = {k: v for k, v in os.environ.items() if k != 'PYTHONPATH'}
    env['PYTHONPATH'] = str(site)
    proc = subprocess.run([
        sys.executable, 'use.py', str(site), repo_root,
        str(tmp_path / 'data')
    ], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert 'trained' in proc.stdout and 'readout' in proc.stdout
