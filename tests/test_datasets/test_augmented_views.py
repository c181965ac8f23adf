"""AugmentedViews and the packing of its views."""
import numpy as np

from mmbrain.registry import TRANSFORMS
from mmbrain.utils import register_all_modules

CROP = dict(type='mmpretrain.RandomResizedCrop', scale=16, backend='pillow')


def test_keeps_the_image_and_adds_the_views():
    register_all_modules()
    views = TRANSFORMS.build(
        dict(type='AugmentedViews',
             transforms=[[CROP],
                         [CROP, dict(type='mmpretrain.Solarize', thr=0,
                                     prob=1.)]],
             num_views=[1, 2]))
    # dark (1..99): a bilinear crop stays in 1..99, a solarized one in 156..254
    img = np.random.default_rng(0).integers(1, 100, (32, 32, 3), np.uint8)
    results = views(dict(img=img.copy(), fmri=[np.ones(3)],
                            coords=[np.zeros((3, 3))]))
    assert np.array_equal(results['img'], img)  # the image the brain saw
    assert len(results['views']) == 3
    assert all(v.shape == (16, 16, 3) for v in results['views'])
    # the second kind is solarized from 0: every value inverted
    assert results['views'][0].max() < 100
    assert results['views'][1].min() > 155 and results['views'][2].min() > 155
    packed = TRANSFORMS.build(dict(type='PackBrainInputs'))(
        dict(results, nsd_id=0))
    sample = packed['data_samples']
    assert sample.views.shape == (3, 3, 16, 16)
    assert sample.views.dtype == np.uint8
    assert np.array_equal(sample.views[2], results['views'][2].transpose(
        2, 0, 1))
