# Mask R-CNN + FPN, ConvNeXt-S from random initialisation, 1x schedule with
# AMP and layer-wise lr decay (mmdet's ConvNeXt conventions), COCO without
# NSD images. The _brain and _in1k forms change only the backbone's weights.
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
        type='mmpretrain.ConvNeXt',
        arch='small',
        out_indices=[0, 1, 2, 3],
        drop_path_rate=0.6,
        layer_scale_init_value=1.0,
        gap_before_final_norm=False),
    neck=dict(in_channels=[96, 192, 384, 768]))
optim_wrapper = dict(
    type='AmpOptimWrapper',
    constructor='LearningRateDecayOptimizerConstructor',
    paramwise_cfg=dict(decay_rate=0.7, decay_type='layer_wise',
                       num_layers=12),
    optimizer=dict(
        _delete_=True,
        type='AdamW',
        lr=0.0002,
        betas=(0.9, 0.999),
        weight_decay=0.05))
