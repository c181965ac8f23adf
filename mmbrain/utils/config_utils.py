import os.path as osp
from typing import Optional

from mmengine.config import Config

from .dist_utils import setup_cpu_distributed
from .user_errors import ConfigError


def load_tool_config(config: str,
                     launcher: str = 'none',
                     cfg_options: Optional[dict] = None,
                     work_dir: Optional[str] = None) -> Config:
    """Load a config the way ``tools/train.py`` and ``tools/test.py`` do.

    Merges ``--cfg-options``, sets ``work_dir`` (command line, else the
    config's, else ``work_dirs/<config name>``) and the launcher, and sets up
    the gloo fallback of :func:`setup_cpu_distributed`. The model is the
    config's as written: ``Runner.from_cfg(Config.fromfile(config))`` builds
    the same one.

    Raises:
        ConfigError: ``config`` is not a file.
    """
    if not osp.isfile(config):
        raise ConfigError(f'{config}: no such config file')
    cfg = Config.fromfile(config)
    cfg.launcher = launcher
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(config))[0])
    setup_cpu_distributed(cfg, launcher)
    return cfg


def add_tensorboard(cfg: Config) -> Config:
    """Log the training curves to TensorBoard as well: mmengine's
    ``TensorboardVisBackend`` beside the visualizer's backends (its events
    go to ``<work_dir>/<timestamp>/vis_data/``)."""
    visualizer = cfg.get('visualizer') or dict(type='Visualizer')
    backends = list(visualizer.get('vis_backends')
                    or [dict(type='LocalVisBackend')])
    if not any(b.get('type') == 'TensorboardVisBackend' for b in backends):
        backends.append(dict(type='TensorboardVisBackend'))
    visualizer['vis_backends'] = backends
    cfg.visualizer = visualizer
    return cfg
