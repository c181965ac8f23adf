"""Fixes that make the OpenMMLab 2.x stack work on current PyTorch.

Applied once by ``import mmbrain``. Each entry of :data:`PATCHES` names what is
changed and why; nothing else in the project patches third-party code.

* ``checkpoint-allowlist``: torch >= 2.6 loads with ``weights_only=True`` by
  default and mmengine 0.10.7 calls ``torch.load`` without the argument, so
  ``--resume`` fails on its own checkpoints (``HistoryBuffer`` and the numpy
  scalars/arrays of the message hub are not allowed). We allow-list exactly
  those classes with :func:`torch.serialization.add_safe_globals`, plus a
  ``getattr`` that only returns ``HistoryBuffer``'s statistics methods (a
  buffer pickles them as ``getattr(HistoryBuffer, 'mean')``); safe loading
  stays on for everything else.
* ``checkpoint-errors``: mmengine's loader of local checkpoints is replaced
  (through ``CheckpointLoader.register_scheme``) by
  :func:`mmbrain.utils.checkpoint.load_local_checkpoint`, which names the
  file when a checkpoint is missing, damaged or refused by safe loading,
  instead of torch's advice to load it unsafely.
* ``package-lookup``: mmengine resolves ``mmdet::``/``mmseg::`` config paths
  with ``pkg_resources``, deprecated (and removed in setuptools 82). The three
  helpers involved are re-implemented with :mod:`importlib.metadata`.
* ``metafile-cache``: each time a config names an ``mmdet::`` or ``mmseg::``
  file, mmengine first looks it up among the models of the package's
  ``model-index.yml``, parsing every metafile it lists (about 100 YAML
  files, 0.2-0.4 s) even for a ``_base_/`` file that no metafile names. The
  YAML loader it calls is memoised, so each file is parsed once per process.
* ``transformers-5``: mmpretrain 1.2.0 imports its multimodal models (BLIP,
  OFA, ...) whenever transformers >= 4.28 is installed, and under
  transformers 5 they fail to import, and with them ``mmpretrain.models``.
  When transformers >= 5 is installed, mmpretrain's own switch
  (``mmpretrain.utils.dependency.WITH_MULTIMODAL``) is turned off, as if
  their requirements were missing; mmbrain uses none of them.
"""
import functools
import importlib.metadata
import importlib.util
import os.path as osp
import pickle

import numpy as np
import torch

PATCHES = {
    'checkpoint-allowlist':
    'torch>=2.6 defaults torch.load to weights_only=True; mmengine 0.10.7 '
    'checkpoints hold HistoryBuffer and numpy objects',
    'checkpoint-errors':
    "torch's errors for a damaged or refused checkpoint do not name the "
    'file, and suggest weights_only=False',
    'package-lookup':
    'mmengine 0.10.7 finds installed packages through pkg_resources, '
    'deprecated and removed in setuptools 82',
    'metafile-cache':
    'mmengine 0.10.7 parses every metafile of mmdet/mmseg again for each '
    "config path that names the package ('mmdet::...')",
    'transformers-5':
    'mmpretrain 1.2.0 imports its multimodal models whenever transformers '
    '>= 4.28 is installed, and they fail to import under transformers 5',
}


def _history_buffer_getattr(obj, name: str):
    """``getattr`` as unpickled from checkpoints: only the statistics methods
    of ``HistoryBuffer`` (``min``, ``max``, ``current``, ``mean`` and any
    registered with ``HistoryBuffer.register_statistics``)."""
    from mmengine.logging import HistoryBuffer
    allowed = {'min', 'max', 'current', 'mean'}
    allowed.update(HistoryBuffer._statistics_methods)
    if obj is not HistoryBuffer or name not in allowed:
        raise pickle.UnpicklingError(
            f'checkpoint asks for getattr({obj!r}, {name!r}); only '
            'HistoryBuffer statistics methods are allowed (mmbrain.compat)')
    return getattr(obj, name)


def mmengine_checkpoint_globals() -> list:
    """The globals that mmengine's training checkpoints contain, for
    :func:`torch.serialization.add_safe_globals`."""
    from mmengine.logging import HistoryBuffer

    scalar_types = [
        np.float64, np.float32, np.float16, np.int64, np.int32, np.int16,
        np.int8, np.uint8, np.bool_
    ]
    core = getattr(np, '_core', None) or np.core  # numpy 2 renamed it
    return [
        HistoryBuffer,
        (_history_buffer_getattr, 'builtins.getattr'),
        np.ndarray,
        np.dtype,
        core.multiarray._reconstruct,
        core.multiarray.scalar,
        *scalar_types,
        *(type(np.dtype(t)) for t in scalar_types),
    ]


def _package2module(package: str) -> str:
    """Top-level module of an installed distribution (mmsegmentation ->
    mmseg)."""
    dist = importlib.metadata.distribution(package)
    top_level = dist.read_text('top_level.txt')
    if top_level and top_level.split():
        return top_level.split()[0]
    names = {
        f.parts[0]
        for f in dist.files or [] if f.name == '__init__.py'
        and len(f.parts) == 2
    }
    if len(names) == 1:
        return names.pop()
    raise ValueError(f'can not infer the module name of {package}')


def _module_name(package: str) -> str:
    try:
        return _package2module(package)
    except importlib.metadata.PackageNotFoundError:
        return package


def _is_installed(package: str) -> bool:
    """Whether ``package`` is an installed distribution or importable."""
    try:
        importlib.metadata.distribution(package)
        return True
    except importlib.metadata.PackageNotFoundError:
        spec = importlib.util.find_spec(package)
        return spec is not None and spec.origin is not None


def _get_installed_path(package: str) -> str:
    """Folder of the package's top-level module (editable installs too)."""
    spec = importlib.util.find_spec(_module_name(package))
    if spec is None:
        raise importlib.metadata.PackageNotFoundError(package)
    if spec.origin is None:
        raise RuntimeError(f'{package} is a namespace package, which is '
                           'invalid for `get_installed_path`')
    return osp.dirname(spec.origin)


def _patch_package_lookup():
    import mmengine.config.config as config_module
    import mmengine.utils as utils
    import mmengine.utils.package_utils as package_utils

    for module in (package_utils, utils, config_module):
        module.is_installed = _is_installed
        module.get_installed_path = _get_installed_path
    package_utils.package2module = _package2module
    try:
        import mmengine.hub.hub as hub_module
    except ImportError:  # mmengine.hub needs optional requirements
        return
    hub_module.get_installed_path = _get_installed_path


def _cache_metafiles():
    """mmengine's config helpers load their YAML through a cache: only the
    metafiles of installed packages pass through it, read, never changed."""
    import mmengine.config.utils as config_utils
    if not hasattr(config_utils.load, 'cache_info'):
        config_utils.load = functools.lru_cache(maxsize=None)(
            config_utils.load)


def _skip_multimodal_under_transformers_5():
    try:
        version = importlib.metadata.version('transformers')
    except importlib.metadata.PackageNotFoundError:
        return
    if int(version.split('.')[0]) < 5:
        return
    import mmpretrain.utils.dependency as dependency
    dependency.WITH_MULTIMODAL = False


def apply():
    """Apply every entry of :data:`PATCHES` (idempotent)."""
    from mmengine.runner import CheckpointLoader

    from .utils.checkpoint import load_local_checkpoint
    torch.serialization.add_safe_globals(mmengine_checkpoint_globals())
    CheckpointLoader.register_scheme(
        prefixes='', loader=load_local_checkpoint, force=True)
    _patch_package_lookup()
    _cache_metafiles()
    _skip_multimodal_under_transformers_5()


apply()
