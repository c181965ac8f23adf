# Mask R-CNN + FPN with mmpretrain's SwinTransformer-S (the pretraining's
# class, so the exported keys load) and AMP, no weight decay on norms and
# position tables (mmdet's Swin conventions). The configs under
# configs/mask_rcnn/ add the data and a schedule.
_base_ = './mask-rcnn_fpn.py'
model = dict(
    backbone=dict(
        _delete_=True,
        type='mmpretrain.SwinTransformer',
        arch='small',
        img_size=224,
        drop_path_rate=0.2,
        out_indices=(0, 1, 2, 3)))
optim_wrapper = dict(
    type='AmpOptimWrapper',
    paramwise_cfg=dict(
        custom_keys={
            'absolute_pos_embed': dict(decay_mult=0.),
            'relative_position_bias_table': dict(decay_mult=0.),
            'norm': dict(decay_mult=0.)
        }),
    optimizer=dict(
        type='AdamW', lr=0.0001, betas=(0.9, 0.999), weight_decay=0.05))
