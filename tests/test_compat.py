"""mmbrain.compat: safe checkpoint loading and pkg_resources-free lookups."""
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer

import mmbrain.compat as compat


class Payload:
    """A class nobody allow-listed."""


def test_every_patch_is_documented():
    assert set(compat.PATCHES) == {
        'checkpoint-allowlist', 'checkpoint-errors', 'metafile-cache',
        'package-lookup', 'transformers-5'
    }
    for name in compat.PATCHES:
        assert name in compat.__doc__


def test_mmengine_objects_load_with_weights_only(tmp_path):
    buffer = HistoryBuffer()
    buffer.update(1.5)
    buffer.update(2.5)
    path = tmp_path / 'ckpt.pth'
    torch.save(
        dict(
            message_hub=dict(log_scalars={'train/loss': buffer}),
            scalars=[np.float64(0.5), np.int64(3), np.float32(1.0)],
            array=np.arange(4, dtype=np.float32),
            weight=torch.ones(2)), path)
    loaded = torch.load(path)  # torch's default: weights_only=True
    assert loaded['message_hub']['log_scalars']['train/loss'].mean() == 2.0
    assert loaded['scalars'] == [0.5, 3, 1.0]
    np.testing.assert_array_equal(loaded['array'], np.arange(4))


class GetattrPayload:
    """Pickles as ``getattr(owner, name)``."""

    def __init__(self, owner, name):
        self.owner, self.name = owner, name

    def __reduce__(self):
        return getattr, (self.owner, self.name)


@pytest.mark.parametrize('owner,name', [(HistoryBuffer, '__init__'),
                                        (np.ndarray, 'tofile')])
def test_getattr_is_limited_to_history_buffer_statistics(
        tmp_path, owner, name):
    path = tmp_path / 'evil.pth'
    torch.save(dict(payload=GetattrPayload(owner, name)), path)
    with pytest.raises(pickle.UnpicklingError,
                       match='only HistoryBuffer statistics'):
        torch.load(path)


def test_other_classes_are_still_refused(tmp_path):
    path = tmp_path / 'evil.pth'
    torch.save(dict(payload=Payload()), path)
    with pytest.raises(pickle.UnpicklingError, match='Payload'):
        torch.load(path)


def test_scope_config_paths_without_pkg_resources():
    code = (
        'import sys\n'
        'import mmbrain\n'
        'from mmengine.config import Config\n'
        'from mmengine.utils import get_installed_path, is_installed\n'
        'assert get_installed_path("mmsegmentation").endswith("mmseg")\n'
        'assert is_installed("mmdet") and not is_installed("no_such_pkg")\n'
        'cfg = Config.fromstring("_base_ = \'mmdet::_base_/schedules/'
        'schedule_1x.py\'", ".py")\n'
        'assert cfg.train_cfg.max_epochs == 12\n'
        'assert "pkg_resources" not in sys.modules, "pkg_resources imported"\n'
    )
    proc = subprocess.run([sys.executable, '-c', code],
                          capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_mmpretrain_models_import_under_transformers_5(tmp_path):
    """A transformers 5 before the venv's packages (a fake one: its version,
    and none of what mmpretrain's multimodal models import)."""
    (tmp_path / 'transformers').mkdir()
    (tmp_path / 'transformers' / '__init__.py').write_text(
        "__version__ = '5.0.0'\n")
    (tmp_path / 'transformers-5.0.0.dist-info').mkdir()
    (tmp_path / 'transformers-5.0.0.dist-info' / 'METADATA').write_text(
        'Metadata-Version: 2.1\nName: transformers\nVersion: 5.0.0\n')
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    proc = subprocess.run([
        sys.executable, '-c', 'import mmbrain, mmpretrain.models\n'
        'from mmpretrain.registry import MODELS\n'
        "print(type(MODELS.build(dict(type='ConvNeXt', arch='tiny')))"
        '.__name__)'
    ],
                          env=env,
                          capture_output=True,
                          text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ['ConvNeXt']


def test_a_package_config_parses_its_metafiles_once(repo_root):
    """A second config naming ``mmdet::`` files reads no YAML again, and
    parses to the same config."""
    import mmengine.config.utils as config_utils
    from mmengine.config import Config
    path = os.path.join(repo_root, 'configs', 'mask_rcnn',
                        'mask-rcnn_convnext-s_fpn_amp-1x_coco-nonsd_brain.py')
    first = Config.fromfile(path)
    parsed = config_utils.load.cache_info().misses
    assert parsed > 10  # mmdet's model index and its metafiles
    assert Config.fromfile(path).to_dict() == first.to_dict()
    assert config_utils.load.cache_info().misses == parsed
