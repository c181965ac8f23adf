"""A backbone built and initialised under a seed, as a starting point that
runs share.

Random initialisation draws from the global generator, and loading a
checkpoint does not: a random-init run therefore draws its neck and heads
after other numbers than a run that loads weights, and the two are not
paired. Runs that load the same starting point instead (random init as this
checkpoint, pretraining beginning from it) are.
"""
import logging

import torch
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.runner import set_random_seed

from mmbrain.engine.hooks import backbone_checkpoint
from mmbrain.registry import MODELS
from mmbrain.utils import register_all_modules


def seeded_backbone(cfg: Config, seed: int) -> torch.nn.Module:
    """``cfg.model.backbone`` built and initialised under ``seed`` as
    mmengine's runner seeds it (its ``init_cfg`` checkpoint loaded, where it
    has one)."""
    register_all_modules()
    set_random_seed(seed)
    backbone = MODELS.build(cfg.model.backbone)
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel(logging.WARNING)  # not a line per initialised tensor
    try:
        backbone.init_weights()
    finally:
        logger.setLevel(level)
    return backbone


def initial_backbone(cfg: Config, seed: int) -> dict:
    """:func:`seeded_backbone` in the exported format: ``state_dict`` with
    the ``backbone.`` prefix, for ``init_cfg=dict(type='Pretrained',
    checkpoint=..., prefix='backbone.')``."""
    backbone = seeded_backbone(cfg, seed)
    state = {f'backbone.{k}': v for k, v in backbone.state_dict().items()}
    return backbone_checkpoint(
        dict(state_dict=state, meta=dict(seed=seed, config=cfg.filename)))
