"""The configs installed with the package, where OpenMMLab packages keep
theirs (``mmbrain/.mim/configs``: copied into a wheel, linked to the
repository's ``configs/`` by an editable install)."""
import os.path as osp

CONFIGS = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), '.mim',
                   'configs')


def packaged_config(name: str) -> str:
    """The path of config ``name`` (relative to ``configs/``, e.g.
    ``pretrain/brainformer_convnext_s.py``) as installed; FileNotFoundError
    naming it where there is none."""
    path = osp.join(CONFIGS, name)
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'{path}: no such config installed with mmbrain (its configs are '
            f'in {CONFIGS}; reinstall mmbrain if that folder is missing)')
    return path
