"""What only a GPU shows: mmcv's CUDA ops, and the models on CUDA and under
AMP against their CPU float32 results. Skipped without a GPU."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import AmpOptimWrapper

from mmbrain.structures import batch_brain
from mmbrain.testing import fake_brain_batch

pytestmark = pytest.mark.skipif(
    not torch.cuda.is_available(), reason='needs a GPU')


def to_cuda(inputs):
    """The encoder's inputs (:func:`batch_brain`) on the GPU."""
    return {k: ([t.cuda() for t in v] if isinstance(v, list) else
                v.cuda() if isinstance(v, torch.Tensor) else v)
            for k, v in inputs.items()}


def test_mmcv_roi_align_and_nms_cuda_equal_cpu():
    from mmcv.ops import RoIAlign, nms
    g = torch.Generator().manual_seed(0)
    feats = torch.randn(2, 8, 32, 32, generator=g)
    xy = torch.rand(50, 2, generator=g) * 200
    wh = torch.rand(50, 2, generator=g) * 50 + 4
    rois = torch.cat([torch.randint(0, 2, (50, 1), generator=g).float(), xy,
                      xy + wh], 1)
    align = RoIAlign((7, 7), spatial_scale=1 / 8, sampling_ratio=0,
                     aligned=True)
    torch.testing.assert_close(
        align(feats.cuda(), rois.cuda()).cpu(), align(feats, rois),
        atol=1e-5, rtol=1e-5)
    scores = torch.rand(50, generator=g)
    boxes = rois[:, 1:]
    _, keep_cpu = nms(boxes, scores, 0.5)
    _, keep_cuda = nms(boxes.cuda(), scores.cuda(), 0.5)
    assert torch.equal(keep_cuda.cpu(), keep_cpu)


def test_brainformer_encoder_cuda_equals_cpu_and_bf16_is_close(
        small_brainformer, brain_data):
    torch.manual_seed(0)
    enc = small_brainformer(num_levels=2).eval()
    inputs = batch_brain(*brain_data)
    with torch.no_grad():
        ref = enc(**inputs)
        enc.cuda()
        inputs = to_cuda(inputs)
        out = enc(**inputs)
        with torch.autocast('cuda', dtype=torch.bfloat16):
            half = enc(**inputs)
    for r, o, h in zip(ref, out, half):
        torch.testing.assert_close(o.cpu(), r, atol=1e-4, rtol=1e-4)
        # bf16 keeps ~3 significant digits: features of unit scale
        torch.testing.assert_close(h.float().cpu(), r, atol=5e-2, rtol=5e-2)


def test_pretrainer_amp_train_step_on_cuda(demo_model):
    torch.manual_seed(0)
    model = demo_model().cuda()
    wrapper = AmpOptimWrapper(
        optimizer=torch.optim.AdamW(model.parameters(), lr=1e-4),
        dtype='bfloat16')
    before = model.backbone.downsample_layers[0][0].weight.detach().clone()
    for _ in range(3):
        log = model.train_step(fake_brain_batch(), wrapper)
        assert torch.isfinite(log['loss'])
    after = model.backbone.downsample_layers[0][0].weight
    assert after.dtype == torch.float32 and not torch.equal(before, after)


def test_mask_rcnn_amp_train_step_on_cuda(repo_root, build_mmdet):
    """mmdet's Mask R-CNN (RoIAlign, nms on CUDA) with the brain-pretrained
    backbone class, one fp16 AMP step as its configs train."""
    from mmdet.structures import DetDataSample
    from mmdet.structures.mask import BitmapMasks
    from mmengine.structures import InstanceData
    cfg = Config.fromfile(
        osp.join(repo_root, 'configs', 'mask_rcnn',
                 'mask-rcnn_convnext-s_fpn_amp-1x_coco-nonsd_brain.py'))
    cfg.model.backbone.init_cfg = None
    torch.manual_seed(0)
    model = build_mmdet(cfg).cuda()
    model.init_weights()
    samples = []
    for n in range(2):
        boxes = torch.tensor([[20., 30., 120., 150.], [60., 40., 200., 220.]])
        masks = torch.zeros(2, 256, 256, dtype=torch.uint8)
        for k, (x0, y0, x1, y1) in enumerate(boxes.int().tolist()):
            masks[k, y0:y1, x0:x1] = 1
        s = DetDataSample(metainfo=dict(
            img_shape=(256, 256), ori_shape=(256, 256), pad_shape=(256, 256),
            batch_input_shape=(256, 256), scale_factor=(1., 1.)))
        s.gt_instances = InstanceData(
            bboxes=boxes, labels=torch.tensor([0, 3]),
            masks=BitmapMasks(masks.numpy(), 256, 256))
        samples.append(s)
    data = dict(inputs=[torch.randint(0, 256, (3, 256, 256),
                                      dtype=torch.uint8)] * 2,
                data_samples=samples)
    wrapper = AmpOptimWrapper(
        optimizer=torch.optim.AdamW(model.parameters(), lr=1e-4))
    log = model.train_step(data, wrapper)
    assert all(torch.isfinite(v) for v in log.values())
    assert {'loss_rpn_cls', 'loss_bbox', 'loss_mask'} <= set(log)
