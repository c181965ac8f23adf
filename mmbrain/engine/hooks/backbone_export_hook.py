import os.path as osp
from collections import OrderedDict

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmbrain.registry import HOOKS
from mmbrain.utils.atomic_files import save_checkpoint


def backbone_checkpoint(checkpoint: dict, prefix: str = 'backbone.') -> dict:
    """The backbone part of a checkpoint, keys kept with their ``prefix``.

    mmdet and mmseg load it with ``init_cfg=dict(type='Pretrained',
    checkpoint=..., prefix='backbone.')``.

    Args:
        checkpoint (dict): A full checkpoint (``state_dict`` and ``meta``) or
            a bare state dict.
    """
    state = checkpoint.get('state_dict', checkpoint)
    backbone = OrderedDict(
        (k, v) for k, v in state.items() if k.startswith(prefix))
    if not backbone:
        raise KeyError(f'no "{prefix}" keys in the checkpoint')
    meta = dict(checkpoint.get('meta', {}), exported_prefix=prefix)
    meta.pop('message_hub', None)
    return dict(state_dict=backbone, meta=meta)


@HOOKS.register_module()
class BackboneExportHook(Hook):
    """After training, save the backbone alone as ``work_dir/filename``.

    Args:
        filename (str): Defaults to ``'backbone.pth'``.
    """
    priority = 'LOWEST'

    def __init__(self, filename: str = 'backbone.pth'):
        self.filename = filename

    def after_train(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        ckpt = backbone_checkpoint(
            dict(
                state_dict=model.state_dict(),
                meta=dict(epoch=runner.epoch, iter=runner.iter)))
        if runner.rank == 0:
            path = osp.join(runner.work_dir, self.filename)
            save_checkpoint(ckpt, path)
            runner.logger.info(f'backbone saved to {path}')
