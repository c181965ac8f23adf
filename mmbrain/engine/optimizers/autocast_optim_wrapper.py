from contextlib import contextmanager
from typing import Union

import torch
import torch.nn as nn
from mmengine.optim import OptimWrapper
from mmengine.runner.amp import autocast

from mmbrain.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class AutocastOptimWrapper(OptimWrapper):
    """An :class:`OptimWrapper` whose forward runs under ``autocast`` to
    ``dtype``, without a loss scaler.

    bfloat16 has float32's exponent range, so its gradients need no scaling;
    mmengine's ``AmpOptimWrapper`` builds a ``GradScaler`` for every dtype
    (a host sync per step for its inf check) and needs a GPU. This one runs
    wherever ``autocast`` does, the CPU included.

    Args:
        dtype (str | torch.dtype): The autocast dtype. Defaults to
            ``'bfloat16'``.
        **kwargs: :class:`OptimWrapper`'s arguments.
    """

    def __init__(self, dtype: Union[str, torch.dtype] = 'bfloat16',
                 **kwargs):
        super().__init__(**kwargs)
        self.cast_dtype = getattr(torch, dtype) if isinstance(dtype,
                                                              str) else dtype

    @contextmanager
    def optim_context(self, model: nn.Module):
        with super().optim_context(model), autocast(dtype=self.cast_dtype):
            yield
