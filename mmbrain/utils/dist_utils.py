import os

import torch
import torch.distributed as dist
from mmengine.config import Config


def setup_cpu_distributed(cfg: Config, launcher: str) -> bool:
    """Run a ``torchrun``-launched job on CPUs with the gloo backend.

    mmengine's ``init_dist`` always calls ``torch.cuda.set_device`` and wraps
    the model in DDP with ``device_ids=[LOCAL_RANK]``; both fail without a
    GPU. When no GPU is visible and the launcher is ``pytorch``, this starts
    the gloo process group itself (mmengine then skips its own init) and wraps
    the model with ``device_ids=None``. With a GPU it changes nothing.

    Args:
        cfg (Config): The full config; ``env_cfg.dist_cfg`` and
            ``model_wrapper_cfg`` are updated in place.
        launcher (str): The ``--launcher`` argument of the tool.

    Returns:
        bool: Whether the CPU fallback was set up.
    """
    if launcher != 'pytorch' or torch.cuda.is_available():
        return False
    env_cfg = dict(cfg.get('env_cfg') or {})
    env_cfg['dist_cfg'] = dict(env_cfg.get('dist_cfg') or {}, backend='gloo')
    cfg.env_cfg = env_cfg
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel',
        broadcast_buffers=False,
        find_unused_parameters=cfg.get('find_unused_parameters', False))
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper
    if not dist.is_initialized():
        dist.init_process_group(
            backend='gloo',
            rank=int(os.environ['RANK']),
            world_size=int(os.environ['WORLD_SIZE']))
    return True
