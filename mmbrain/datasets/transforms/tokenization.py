"""Text to tokens for the captions arm."""
import numpy as np
from mmcv.transforms import BaseTransform

from mmbrain.registry import TRANSFORMS


@TRANSFORMS.register_module()
class TokenizeCaption(BaseTransform):
    """CLIP's byte-pair tokens of the caption, through open_clip's
    ``SimpleTokenizer`` (its vocabulary of 49408 tokens ships inside the
    ``open_clip_torch`` package: nothing is downloaded).

    The tokens are ``[<start>, ..., <end>, 0, ...]``, cut to
    ``context_length`` (the last kept token then becomes ``<end>``); the
    end token 49407 is the largest id, which the text encoder pools at.

    Required keys: ``caption`` (str).
    Added keys: ``tokens`` ((L, ) int64 numpy array, L = ``context_length``).

    Args:
        context_length (int): L. Defaults to 77 (CLIP's).
    """

    def __init__(self, context_length: int = 77):
        self.context_length = context_length
        self._tokenizer = None

    @property
    def tokenizer(self):
        if self._tokenizer is None:  # built where it is first used
            from open_clip.tokenizer import SimpleTokenizer
            self._tokenizer = SimpleTokenizer(
                context_length=self.context_length)
        return self._tokenizer

    def transform(self, results: dict) -> dict:
        tokens = self.tokenizer([results['caption']])[0]  # [L]
        results['tokens'] = tokens.numpy().astype(np.int64)
        return results

    def __getstate__(self):
        return dict(self.__dict__, _tokenizer=None)

    def __repr__(self) -> str:
        return f'{type(self).__name__}(context_length={self.context_length})'
