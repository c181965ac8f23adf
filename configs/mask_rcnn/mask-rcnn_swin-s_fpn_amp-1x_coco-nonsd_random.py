# Mask R-CNN + FPN, Swin-S from random initialisation, 1x schedule with AMP,
# COCO without NSD images. The backbone is mmpretrain's SwinTransformer, the
# class the pretraining configs use, so the exported backbone's keys match.
#   tools/dist_train.sh configs/mask_rcnn/<this file> 8
_base_ = [
    'mmdet::_base_/models/mask-rcnn_r50_fpn.py',
    '../_base_/datasets/coco_instance_nonsd.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    'mmdet::_base_/default_runtime.py'
]
custom_imports = dict(
    imports=['mmpretrain.models', 'mmbrain'], allow_failed_imports=False)
model = dict(
    backbone=dict(
        _delete_=True,
        type='mmpretrain.SwinTransformer',
        arch='small',
        img_size=224,
        drop_path_rate=0.2,
        out_indices=(0, 1, 2, 3)),
    neck=dict(in_channels=[96, 192, 384, 768]))
optim_wrapper = dict(
    type='AmpOptimWrapper',
    paramwise_cfg=dict(
        custom_keys={
            'absolute_pos_embed': dict(decay_mult=0.),
            'relative_position_bias_table': dict(decay_mult=0.),
            'norm': dict(decay_mult=0.)
        }),
    optimizer=dict(
        _delete_=True,
        type='AdamW',
        lr=0.0001,
        betas=(0.9, 0.999),
        weight_decay=0.05))
