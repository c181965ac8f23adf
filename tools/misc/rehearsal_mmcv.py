"""The ``mmcv`` section of ``gpu_rehearsal.py``: mmcv's RoIAlign and nms on
CUDA against the CPU, and one train step of each downstream model
(:data:`DOWNSTREAM`) in bf16 autocast and fp16 AMP."""
import importlib
import logging
import os.path as osp
from typing import List

import torch
from mmengine.config import Config

from rehearsal_report import (REPO, SectionSkipped, Table, fill_row,
                              free_memory, one_line)
from rehearsal_sections import Context, is_oom, wall

DOWNSTREAM = {  # (full-size config, tiny config, scope)
    'Mask R-CNN':
    ('configs/mask_rcnn/mask-rcnn_convnext-s_fpn_amp-1x_coco-nonsd_random.py',
     'configs/mask_rcnn/demo/mask-rcnn_convnext-demo_fpn_coco-demo_random.py',
     'mmdet'),
    'UperNet':
    ('configs/upernet/upernet_convnext-s_amp-160k_ade20k-512x512_random.py',
     'configs/upernet/demo/upernet_convnext-demo_ade20k-demo_random.py',
     'mmseg'),
}


def roi_ops(device: str) -> dict:
    """RoIAlign's max abs difference (``roi_align``) and (boxes kept,
    whether the same) of nms (``nms``), on ``device`` against the CPU, for
    50 random boxes on features (2, 8, 32, 32) at stride 8."""
    from mmcv.ops import RoIAlign, nms
    g = torch.Generator().manual_seed(0)
    feats = torch.randn(2, 8, 32, 32, generator=g)
    xy = torch.rand(50, 2, generator=g) * 200
    wh = torch.rand(50, 2, generator=g) * 50 + 4
    rois = torch.cat([torch.randint(0, 2, (50, 1), generator=g).float(), xy,
                      xy + wh], 1)  # (50, 5): image, x1, y1, x2, y2
    align = RoIAlign((7, 7), spatial_scale=1 / 8, sampling_ratio=0,
                     aligned=True)
    error = (align(feats.to(device), rois.to(device)).cpu() -
             align(feats, rois)).abs().max().item()
    scores = torch.rand(50, generator=g)
    _, keep = nms(rois[:, 1:], scores, 0.5)
    _, keep_device = nms(rois[:, 1:].to(device), scores.to(device), 0.5)
    return dict(roi_align=error,
                nms=(len(keep), torch.equal(keep_device.cpu(), keep)))


def downstream_data(kind: str, cfg: Config, size: int) -> dict:
    """Two random uint8 images (3, size, size) with random targets: mmdet's
    ``demo_mm_inputs`` boxes and masks, or a label map (1, size, size)."""
    if kind == 'Mask R-CNN':
        from mmdet.testing import demo_mm_inputs
        return demo_mm_inputs(
            batch_size=2, image_shapes=[(3, size, size)] * 2,
            num_items=[3, 2], with_mask=True,
            num_classes=cfg.model.roi_head.bbox_head.num_classes)
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample
    g = torch.Generator().manual_seed(0)
    samples = []
    for _ in range(2):
        sample = SegDataSample(gt_sem_seg=PixelData(data=torch.randint(
            0, cfg.model.decode_head.num_classes, (1, size, size),
            generator=g)))
        sample.set_metainfo(dict(img_shape=(size, size),
                                 ori_shape=(size, size)))
        samples.append(sample)
    return dict(inputs=list(torch.randint(0, 256, (2, 3, size, size),
                                          dtype=torch.uint8, generator=g)),
                data_samples=samples)


def downstream_step(kind: str, device: str, dtype: str,
                    tiny: bool = False) -> dict:
    """One train step of the random-init ``kind`` ('Mask R-CNN',
    'UperNet') config in ``dtype``: 'bf16' (autocast), 'fp16' (mmengine's
    AMP, as their configs train) or 'fp32'. Returns its summed ``loss``,
    whether every loss is ``finite``, and its ``seconds``."""
    from mmengine.logging import MMLogger
    from mmengine.optim import AmpOptimWrapper, OptimWrapper
    from mmengine.registry import DefaultScope
    from mmbrain.engine.optimizers import AutocastOptimWrapper
    full, small, scope = DOWNSTREAM[kind]
    cfg = Config.fromfile(osp.join(REPO, small if tiny else full))
    cfg.model.backbone.init_cfg = None
    registry = importlib.import_module(f'{scope}.registry').MODELS
    torch.manual_seed(0)
    logger = MMLogger.get_current_instance()
    level = logger.level
    with DefaultScope.overwrite_default_scope(scope):
        model = registry.build(cfg.model)
        logger.setLevel(logging.WARNING)  # a line per initialised tensor
        try:
            model.init_weights()
        finally:
            logger.setLevel(level)
        model.to(device)
        model.train()
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
        wrapper = dict(
            bf16=lambda: AutocastOptimWrapper(optimizer=optimizer),
            fp16=lambda: AmpOptimWrapper(optimizer=optimizer),
            fp32=lambda: OptimWrapper(optimizer=optimizer))[dtype]()
        data = downstream_data(kind, cfg, 128 if tiny else 512)
        log = {}
        seconds = wall(lambda: log.update(model.train_step(data, wrapper)),
                       device)
    losses = [torch.as_tensor(v).float() for k, v in log.items()
              if 'loss' in k]
    return dict(loss=float(log['loss']), finite=all(
        bool(torch.isfinite(v).all()) for v in losses), seconds=seconds)


def mmcv_ops(ctx: Context, table: Table):
    import mmcv
    table.info.update(mmcv=mmcv.__version__, cuda_ops=ctx.mmcv_cuda,
                      img_size=128 if ctx.args.tiny else 512,
                      configs=', '.join(
                          osp.basename(c[1 if ctx.args.tiny else 0])
                          for c in DOWNSTREAM.values()))
    if ctx.mmcv_cuda is not True:
        raise SectionSkipped(f'mmcv\'s CUDA ops do not run here '
                             f'({ctx.mmcv_cuda})')
    try:
        ops = roi_ops(ctx.device)
    except Exception as e:  # recorded in their rows; the steps still run
        for check in ('RoIAlign', 'nms'):
            row = table.row(check=check)
            fill_row(row, f'error: {one_line(e)}')
            row['passed'] = False
    else:
        table.row(check='RoIAlign').update(
            result=ops['roi_align'], tolerance=1e-4, seconds='n/a',
            passed=ops['roi_align'] <= 1e-4)
        kept, same = ops['nms']
        table.row(check='nms').update(
            result=f'{kept} boxes kept', tolerance='the same boxes',
            seconds='n/a', passed=same)
    for kind in DOWNSTREAM:
        for dtype in ('bf16', 'fp16'):
            row = table.row(check=f'{kind} step, {dtype}')
            try:
                step = downstream_step(kind, ctx.device, dtype,
                                       ctx.args.tiny)
            except Exception as e:  # recorded in its row
                if is_oom(e):
                    step = None
                else:
                    fill_row(row, f'error: {one_line(e)}')
                    row['passed'] = False
                    continue
            finally:
                free_memory(ctx.device)
            if step is None:
                fill_row(row, 'OOM')
                continue
            row.update(result=step['loss'], tolerance='finite losses',
                       passed=step['finite'], seconds=step['seconds'])


def mmcv_plan(ctx: Context) -> List[dict]:
    return [dict(check='RoIAlign'), dict(check='nms')] + [
        dict(check=f'{kind} step, {dtype}') for kind in DOWNSTREAM
        for dtype in ('bf16', 'fp16')
    ]
