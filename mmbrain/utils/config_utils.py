import inspect
import os.path as osp
from typing import Optional

from mmengine.config import Config

from .dist_utils import setup_cpu_distributed


def load_tool_config(config: str,
                     launcher: str = 'none',
                     cfg_options: Optional[dict] = None,
                     work_dir: Optional[str] = None) -> Config:
    """Load a config the way ``tools/train.py`` and ``tools/test.py`` do.

    Merges ``--cfg-options``, sets ``work_dir`` (command line, else the
    config's, else ``work_dirs/<config name>``) and the launcher, and sets up
    the gloo fallback of :func:`setup_cpu_distributed`.
    """
    cfg = Config.fromfile(config)
    cfg.launcher = launcher
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(config))[0])
    derive_num_rois(cfg, config)
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


def derive_num_rois(cfg: Config, source: str) -> Config:
    """Set ``model.brain_encoder.num_rois`` from the dataloaders' ``rois``
    list, so that R is written once; counts that disagree with it (an
    encoder's ``num_voxels``, a head's ``num_rois``) stop with a message
    naming ``source``, as does a readout head's ``num_outputs`` of another
    length. Configs with neither pass unchanged."""
    model = cfg.get('model')
    if not isinstance(model, dict):
        return cfg
    encoder = model.get('brain_encoder')
    head = model.get('head')
    readout = isinstance(head, dict) and head.get('num_outputs') is not None
    if not isinstance(encoder, dict) and not readout:
        return cfg
    lists = {}
    for split in ('train', 'val', 'test'):
        dataset = (cfg.get(f'{split}_dataloader') or {}).get('dataset', {})
        if isinstance(dataset, dict) and dataset.get('rois') is not None:
            lists[f'{split}_dataloader.dataset.rois'] = tuple(dataset['rois'])
    if not lists:
        return cfg
    if len(set(lists.values())) > 1:
        raise ValueError(f'{source}: the dataloaders serve different ROI '
                         f'groups: {lists}')
    name, rois = next(iter(lists.items()))
    given = {}
    encoder = encoder if isinstance(encoder, dict) else {}
    if encoder.get('num_voxels') is not None:
        given['model.brain_encoder.num_voxels has'] = len(
            encoder['num_voxels'])
    if encoder.get('num_rois') is not None:
        given['model.brain_encoder.num_rois is'] = encoder['num_rois']
    if isinstance(head, dict) and head.get('num_rois') is not None:
        given['model.head.num_rois is'] = head['num_rois']
    if readout:
        given['model.head.num_outputs has'] = len(head['num_outputs'])
    for key, count in given.items():
        if count != len(rois):
            raise ValueError(
                f'{source}: {key} {count} but {name} lists {len(rois)} ROI '
                f'groups {list(rois)}; leave num_rois out (it is derived '
                'from that list) or make them agree')
    if encoder and 'num_rois' not in encoder and _takes(
            encoder.get('type'), 'num_rois'):
        encoder['num_rois'] = len(rois)
    return cfg


def _takes(type_name, argument: str) -> bool:
    """Whether the registered model class ``type_name`` has ``argument``."""
    import mmbrain.models  # noqa: F401  (fills the registry)
    from mmbrain.registry import MODELS
    cls = type_name if inspect.isclass(type_name) else MODELS.get(type_name)
    return cls is not None and argument in inspect.signature(cls).parameters
