import zlib

import mmcv
import numpy as np
from mmdet.datasets.transforms.transforms import Corrupt

from mmbrain.registry import TRANSFORMS


@TRANSFORMS.register_module()
class SeededCorrupt(Corrupt):
    """mmdet's :class:`~mmdet.datasets.transforms.Corrupt` (an
    ``imagecorruptions`` corruption of the loaded image), drawn from a seed
    per image and in the RGB order the corruptions are defined in.

    ``imagecorruptions`` draws its noise from NumPy's global generator, so
    ``Corrupt`` gives each image other noise in every run and dataloader
    worker; here the generator is seeded from ``seed`` and the image's path
    (and restored after), so every backbone is scored on the very same
    corrupted images. ``LoadImageFromFile`` reads BGR: the image is turned
    to RGB for the corruption (saturate, frost and fog are colour-specific)
    and back.

    Required keys: img (H, W, 3), img_path. Modified keys: img (uint8).

    Args:
        corruption (str): An ``imagecorruptions`` name, e.g. ``'fog'``.
        severity (int): 1 to 5. Defaults to 1.
        seed (int): Seeds each image's noise with its path. Defaults to 0.
        channel_order (str): The loaded image's, ``'bgr'`` or ``'rgb'``.
            Defaults to ``'bgr'``.
    """

    def __init__(self,
                 corruption: str,
                 severity: int = 1,
                 seed: int = 0,
                 channel_order: str = 'bgr'):
        super().__init__(corruption, severity)
        if channel_order not in ('bgr', 'rgb'):
            raise ValueError(f'channel_order {channel_order!r}: expected '
                             "'bgr' or 'rgb'")
        self.seed = seed
        self.channel_order = channel_order

    def transform(self, results: dict) -> dict:
        bgr = self.channel_order == 'bgr'
        if bgr:
            results['img'] = mmcv.bgr2rgb(results['img'])
        state = np.random.get_state()
        np.random.seed(zlib.crc32(
            f'{self.seed}:{results["img_path"]}'.encode()))
        try:
            results = super().transform(results)
        finally:
            np.random.set_state(state)
        if bgr:
            results['img'] = mmcv.rgb2bgr(results['img'])
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(corruption={self.corruption}, '
                f'severity={self.severity}, seed={self.seed})')
