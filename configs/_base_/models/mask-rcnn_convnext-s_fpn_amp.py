# Mask R-CNN + FPN with mmpretrain's ConvNeXt-S (the pretraining's class, so
# the exported keys load), AMP and layer-wise lr decay (mmdet's ConvNeXt
# conventions). The configs under configs/mask_rcnn/ add the data and a
# schedule.
_base_ = './mask-rcnn_fpn.py'
model = dict(
    backbone=dict(
        _delete_=True,
        type='mmpretrain.ConvNeXt',
        arch='small',
        out_indices=[0, 1, 2, 3],
        drop_path_rate=0.6,
        layer_scale_init_value=1.0,
        gap_before_final_norm=False))
optim_wrapper = dict(
    type='AmpOptimWrapper',
    constructor='LearningRateDecayOptimizerConstructor',
    paramwise_cfg=dict(decay_rate=0.7, decay_type='layer_wise',
                       num_layers=12),
    optimizer=dict(
        type='AdamW', lr=0.0002, betas=(0.9, 0.999), weight_decay=0.05))
