from abc import ABCMeta, abstractmethod

import torch
from mmengine.model import BaseModule


class BaseTextEncoder(BaseModule, metaclass=ABCMeta):
    """What a text encoder takes and gives; the caption pretrainer relies on
    nothing else.

    Input of :meth:`forward`: ``tokens``, (N, L) long, as
    ``TokenizeCaption`` and :class:`BrainDataPreprocessor` give them.
    Output: the caption feature, (N, d), d = ``embed_dims``, which the
    alignment head contrasts with the image's.

    Args:
        embed_dims (int): d.
    """

    def __init__(self, embed_dims: int, init_cfg=None):
        super().__init__(init_cfg)
        self.embed_dims = embed_dims

    @abstractmethod
    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """(N, L) tokens -> (N, d) caption features."""
