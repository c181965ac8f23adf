# The 3x _random config with an ImageNet-1k mmpretrain checkpoint of the same
# backbone class, for the paper's comparison. Nothing is downloaded: put the
# file at this path (or pass --cfg-options
# model.backbone.init_cfg.checkpoint=...).
_base_ = './mask-rcnn_convnext-s_fpn_amp-ms-3x_coco-nonsd_random.py'
checkpoint = 'checkpoints/convnext-small_in1k.pth'
model = dict(
    backbone=dict(
        init_cfg=dict(
            type='Pretrained', checkpoint=checkpoint, prefix='backbone.')))
