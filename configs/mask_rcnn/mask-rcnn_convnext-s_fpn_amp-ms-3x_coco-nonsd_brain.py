# The 3x _random config with the brain-pretrained backbone exported by
# configs/pretrain/brainformer_convnext_s.py.
_base_ = './mask-rcnn_convnext-s_fpn_amp-ms-3x_coco-nonsd_random.py'
checkpoint = 'work_dirs/brainformer_convnext_s/backbone.pth'
model = dict(
    backbone=dict(
        init_cfg=dict(
            type='Pretrained', checkpoint=checkpoint, prefix='backbone.')))
