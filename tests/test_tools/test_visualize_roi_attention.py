"""visualize_roi_attention.py and mmbrain.visualization.roi_attention: the
head's ROI attention upsampled, Grad-CAM of the ROI alignment score, and
one readable PNG per image."""
import os.path as osp
import sys

import matplotlib.image as mpimg
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config

from mmbrain.registry import MODELS
from mmbrain.testing import fake_brain_batch
from mmbrain.utils import register_all_modules
from mmbrain.visualization.roi_attention import (roi_attention_maps,
                                                 roi_gradcam_maps, roi_maps)

TOOL = 'tools/analysis_tools/visualize_roi_attention.py'
IMG = 64  # the demo ConvNeXt's stride is 32: a 2x2 last feature map


def batch_inputs(model, num_samples=2, **kwargs):
    batch = fake_brain_batch(num_samples=num_samples, img_size=IMG, **kwargs)
    return model.data_preprocessor(batch, False)['inputs']


def test_attention_maps_are_the_heads_attention_upsampled(demo_model):
    torch.manual_seed(0)
    model = demo_model().eval()
    with torch.no_grad():  # a sharper attention than at initialisation
        model.head.roi_pool.query.normal_(0, 3)
    inputs = batch_inputs(model)
    maps, method = roi_maps(model, inputs)
    assert method == 'attention'
    with torch.no_grad():
        _, _, attn = model.head(model.extract_feat(inputs['img']))
    assert attn.shape == (2, 6, 2, 2)
    assert maps.shape == (2, 6, IMG, IMG) and maps.dtype == np.float32
    attn = attn.numpy()
    assert np.ptp(attn) > 0.05  # not uniform, so the checks below bite
    # corners take their cell's value (half-pixel centres, clamped)
    np.testing.assert_allclose(maps[..., 0, 0], attn[..., 0, 0], rtol=1e-5)
    np.testing.assert_allclose(maps[..., -1, -1], attn[..., -1, -1],
                               rtol=1e-5)
    # by hand: pixel (16, 40) samples the 2x2 map at (0.015625, 0.765625)
    y, x = 16.5 / 32 - 0.5, 40.5 / 32 - 0.5
    a = attn[1, 3]
    expected = ((1 - y) * ((1 - x) * a[0, 0] + x * a[0, 1]) +
                y * ((1 - x) * a[1, 0] + x * a[1, 1]))
    assert maps[1, 3, 16, 40] == pytest.approx(expected, rel=1e-5)
    # each map sums to 1 over the 2x2 cells: its pixels to IMG^2 / 4
    np.testing.assert_allclose(maps.sum((2, 3)), IMG * IMG / 4, rtol=1e-4)


def test_gradcam_of_the_alignment_score_for_global_pooling(demo_model):
    torch.manual_seed(0)
    model = demo_model(roi_pooling='global',
                       guidance_loss=dict(negatives='rois')).eval()
    inputs = batch_inputs(model)
    maps, method = roi_maps(model, inputs)
    assert method == 'gradcam'
    assert maps.shape == (2, 6, IMG, IMG)
    assert (maps >= 0).all() and (maps <= 1 + 1e-6).all()
    assert (maps.reshape(12, -1).max(1) > 0.5).all()  # none all zero
    assert not any(p.grad is not None for p in model.parameters())

    # against autograd: ROI k's score s^k = cos(p̄^k, q̄^k) as in the
    # guidance loss; CAM = ReLU(Σ_c mean(ds/dA_c) A_c), min-max scaled; a
    # corner pixel takes its cell's value
    with torch.no_grad():
        _, brain_rois = model.encode_brain(inputs)
        feats = model.extract_feat(inputs['img'])
    feats.requires_grad_()
    _, img_rois, _ = model.head(feats)
    scores = (F.normalize(img_rois, dim=-1) *
              F.normalize(brain_rois, dim=-1)).sum(-1)
    for k in (0, 4):
        grad, = torch.autograd.grad(scores[:, k].sum(), feats,
                                    retain_graph=True)
        cam = (grad.mean((2, 3), keepdim=True) * feats).sum(1).relu()
        cam = cam - cam.amin((1, 2), keepdim=True)
        cam = (cam / (cam.amax((1, 2), keepdim=True) + 1e-7)).detach()
        np.testing.assert_allclose(maps[:, k, 0, 0], cam[:, 0, 0],
                                   atol=1e-4)
        np.testing.assert_allclose(maps[:, k, -1, -1], cam[:, -1, -1],
                                   atol=1e-4)


def test_encoder_without_roi_features_is_a_clear_error(repo_root):
    register_all_modules()
    cfg = Config.fromfile(
        osp.join(repo_root, 'configs/pretrain/demo/mindeye_convnext_demo.py'))
    cfg.model.head.roi_pooling = 'global'
    model = MODELS.build(cfg.model).eval()
    inputs = batch_inputs(model, voxels=(400, ))  # nsdgeneral
    with pytest.raises(ValueError, match='MindEyeBrainEncoder gives no ROI '
                       'features'):
        roi_maps(model, inputs)
    with pytest.raises(ValueError, match="roi_pooling='global'"):
        roi_attention_maps(model, inputs)
    cfg.model.head.roi_pooling = 'attention'  # attention needs no q̄
    model = MODELS.build(cfg.model).eval()
    assert roi_attention_maps(model, inputs).shape == (2, 1, IMG, IMG)
    with pytest.raises(ValueError, match='gives no ROI features'):
        roi_gradcam_maps(model, inputs)


def test_tool_writes_one_png_per_image(run_tool, demo_config, demo_model,
                                       small_demo_nsd, tmp_path):
    checkpoint = tmp_path / 'pretrainer.pth'
    torch.save(dict(state_dict=demo_model().state_dict()), checkpoint)
    proc = run_tool([
        sys.executable, TOOL, demo_config,
        str(checkpoint), '--out-dir',
        str(tmp_path / 'out'), '--images', '3', '0', '7', '--cfg-options',
        f'test_dataloader.dataset.data_root={small_demo_nsd}'
    ])
    names = [f'nsd{i:05d}_subj01_attention.png' for i in (3, 0, 7)]
    assert sorted(p.name for p in (tmp_path / 'out').iterdir()) == sorted(
        names)
    for name in names:
        path = tmp_path / 'out' / name
        assert str(path) in proc.stdout
        assert path.stat().st_size < 300_000
        img = mpimg.imread(path)
        # a row of 7 panels (image + 6 ROIs) and a colorbar, RGB
        assert img.shape[2] == 3
        assert 150 <= img.shape[0] <= 400 and img.shape[1] > 4 * img.shape[0]
        assert img.std() > 0.05  # not blank

    proc = run_tool([
        sys.executable, TOOL, demo_config,
        str(checkpoint), '--out-dir',
        str(tmp_path / 'bad'), '--images', '99999', '--cfg-options',
        f'test_dataloader.dataset.data_root={small_demo_nsd}'
    ], check=False)
    assert proc.returncode != 0
    assert 'nsdIds [99999] are not in the test split of subject 1' in \
        proc.stderr
