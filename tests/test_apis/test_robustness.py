"""mmbrain.apis.robustness: mPC and rPC by hand, the seeded corruption,
the corrupted pipeline, and PGD (torchattacks) on a trained probe."""
import zlib

import mmcv
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from imagecorruptions import corrupt

from mmbrain.apis.multilabel_probe import mean_average_precision
from mmbrain.apis.robustness import (TwoWayLogits, corrupted_loader,
                                     corruption_conditions, corruption_names,
                                     corruption_summary, pgd_images)
from mmbrain.datasets.transforms import SeededCorrupt
from mmbrain.utils import ConfigError


def test_mpc_and_rpc_by_hand():
    scores = {'fog/1': 40., 'fog/3': 20., 'blur/1': 50., 'blur/3': 50.}
    # the mean over severities per corruption (30, 50), then over them
    summary = corruption_summary(60., scores)
    assert summary['mPC'] == pytest.approx(40.)
    assert summary['rPC'] == pytest.approx(100 * 40 / 60)


def test_the_benchmark_and_named_corruptions():
    assert len(corruption_names('benchmark')) == 15
    assert list(corruption_conditions(
        dict(corruptions=['fog'], severities=[1, 5]))) == [('fog', 1),
                                                           ('fog', 5)]
    with pytest.raises(ConfigError, match='unknown corruptions'):
        corruption_names(['fgo'])
    with pytest.raises(ConfigError, match='severity 6'):
        list(corruption_conditions(dict(corruptions=['fog'],
                                        severities=[6])))


def test_the_corruption_follows_the_image_loading():
    loader = dict(dataset=dict(pipeline=[
        dict(type='LoadImageFromFile'), dict(type='Resize', scale=(8, 8))]))
    corrupted = corrupted_loader(loader, 'fog', 3, seed=1)
    assert corrupted['dataset']['pipeline'][1] == dict(
        type='mmbrain.SeededCorrupt', corruption='fog', severity=3, seed=1)
    assert len(loader['dataset']['pipeline']) == 2  # a copy
    with pytest.raises(ConfigError, match='no LoadImageFromFile'):
        corrupted_loader(dict(dataset=dict(pipeline=[])), 'fog', 3)


def test_the_seeded_corruption_is_the_library_s_on_rgb():
    rgb = np.random.default_rng(0).integers(0, 256, (32, 32, 3), np.uint8)
    transform = SeededCorrupt('gaussian_noise', severity=3, seed=7)
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    out = transform(dict(img=mmcv.rgb2bgr(rgb), img_path='a.jpg'))['img']
    # the global generator is left as it was
    assert (np.random.get_state()[1] == before).all()
    np.random.seed(zlib.crc32(b'7:a.jpg'))
    expected = corrupt(rgb, corruption_name='gaussian_noise', severity=3)
    assert (out == mmcv.rgb2bgr(expected)).all()
    again = transform(dict(img=mmcv.rgb2bgr(rgb), img_path='a.jpg'))['img']
    other = transform(dict(img=mmcv.rgb2bgr(rgb), img_path='b.jpg'))['img']
    assert (again == out).all() and (other != out).any()


def test_two_way_logits_give_the_binary_cross_entropy():
    logits = torch.tensor([[2., -1., .5], [0., 3., -2.]])
    targets = torch.tensor([[1, 0, 1], [0, 0, 1]])
    two_way = TwoWayLogits(torch.nn.Identity())(logits)
    assert F.cross_entropy(two_way, targets).item() == pytest.approx(
        F.binary_cross_entropy_with_logits(logits, targets.float()).item())


@pytest.fixture(scope='module')
def trained_probe():
    """A linear multi-label classifier of 8 x 8 images (normalised by mean
    128, std 64): class 0 when the left half is bright, class 1 when the
    top half is; trained to near-perfect mAP."""
    g = torch.Generator().manual_seed(0)
    pixels = torch.rand(400, 3, 8, 8, generator=g) * 255
    targets = torch.stack([pixels[:, :, :, :4].mean((1, 2, 3)) > 127.5,
                           pixels[:, :, :4].mean((1, 2, 3)) > 127.5],
                          1).float()
    inputs = (pixels - 128) / 64
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(192, 2))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(300):
        optimizer.zero_grad()
        F.binary_cross_entropy_with_logits(model(inputs), targets).backward()
        optimizer.step()
    return model.eval(), inputs, targets


def test_pgd_lowers_a_trained_probe_and_a_zero_budget_leaves_it(
        trained_probe):
    model, inputs, targets = trained_probe
    mean, std = [128.] * 3, [64.] * 3

    def score(x):
        with torch.no_grad():
            return mean_average_precision(model(x), targets)[0]

    clean = score(inputs)
    assert clean > 95
    untouched = pgd_images(model, inputs, targets, 0., 10, mean, std)
    assert torch.allclose(untouched, inputs, atol=1e-5)
    assert score(untouched) == clean
    attacked = pgd_images(model, inputs, targets, 8 / 255, 10, mean, std)
    # within the budget, in normalised units
    assert (attacked - inputs).abs().max() <= 8 / 64 + 1e-5
    assert score(attacked) < clean - 20
