"""A study profile: the arms, seeds, data and dispatch of a whole study in
one config file (``configs/profiles/``), and its rehearsal on the demo
layout."""
import os.path as osp
from typing import Optional

from mmengine.config import Config

from mmbrain.utils import ConfigError
from .arms import REPO_ROOT

# what a profile sets, with the tool's defaults for what it leaves out
DEFAULTS = dict(seeds=[0, 1, 2], data_root='data/demo_nsd',
                subjects=[1, 2, 3], roots=None, arms=None, downstream=None,
                finetune=None, downstream_options=None, pretrain_epochs=None,
                jobs=1, launcher='local', slurm={})


def load_profile(path: Optional[str], rehearse: bool = False,
                 root: str = REPO_ROOT) -> dict:
    """The settings of ``path`` (:data:`DEFAULTS` where it has none; all
    of them without a profile), its ``rehearsal`` section merged over them
    with ``rehearse``; a missing config or an unknown key is a
    :class:`ConfigError`."""
    settings = dict(DEFAULTS)
    if path is None:
        if rehearse:
            raise ConfigError('--rehearse needs a --profile')
        return settings
    if not osp.isfile(osp.join(root, path)):
        raise ConfigError(f'{path}: no such profile')
    profile = Config.fromfile(osp.join(root, path)).to_dict()
    rehearsal = profile.pop('rehearsal', None)
    if rehearse:
        if rehearsal is None:
            raise ConfigError(f'{path}: no rehearsal section to --rehearse')
        profile.update(rehearsal)
    unknown = sorted(set(profile) - set(DEFAULTS))
    if unknown:
        raise ConfigError(f'{path}: unknown keys {unknown}; a profile sets '
                          f'{sorted(DEFAULTS)}')
    settings.update(profile)
    for config in [*(settings['arms'] or {}).values(),
                   *(settings['downstream'] or {}).values()]:
        if config and not osp.isfile(osp.join(root, config)):
            raise ConfigError(f'{path}: no config {config}')
    return settings
