# A new backbone by inheritance: the Swin-S brain config with the ResNet-50
# pretrained by configs/pretrain/brainformer_timm-resnet50.py.
_base_ = './mask-rcnn_swin-s_fpn_amp-1x_coco-nonsd_brain.py'
model = dict(
    backbone=dict(
        _delete_=True,
        type='mmbrain.TimmFeatureBackbone',
        model_name='resnet50',
        out_indices=(1, 2, 3, 4),  # strides 4-32, as in pretraining
        init_cfg=dict(
            type='Pretrained',
            checkpoint='work_dirs/brainformer_timm-resnet50/backbone.pth',
            prefix='backbone.')),
    neck=dict(in_channels=[256, 512, 1024, 2048]))
