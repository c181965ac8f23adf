# The demo (make demo): mask-rcnn_convnext-s_fpn_amp-1x_coco-nonsd_random.py
# shrunk to train on 2 CPU cores in minutes, on the demo's COCO without
# NSD images: its 4 categories, the demo pretraining's ConvNeXt, a 64-channel
# FPN and heads, the 128 px the downstream scenes are drawn at, anchors of
# 16-256 px for their 10-50 px objects (mmdet's scale 8 starts at 32 px),
# fp32 (mmengine has no AMP on the CPU), and no validation during training
# (tools/test.py evaluates val2017 without NSD).
_base_ = '../mask-rcnn_convnext-s_fpn_amp-1x_coco-nonsd_random.py'

data_root = 'data/demo_nsd/coco/'
# in the order of their COCO ids, as the demo's json lists them
metainfo = dict(classes=('person', 'car', 'stop sign', 'clock'))
img_scale = (128, 128)
channels = 64
max_epochs = 3

model = dict(
    backbone=dict(
        arch=dict(
            _delete_=True, depths=[1, 1, 2, 1], channels=[32, 64, 128, 256]),
        # frozen (its four stages; the norms of their outputs train): the
        # neck and heads read what each arm's pretraining put there, at
        # half the time of fine-tuning it (the study's oracle moved AP and
        # mIoU neither way: docs/user_guides/transfer_study.md);
        # frozen_stages=0 fine-tunes it with this stochastic depth
        frozen_stages=4,
        drop_path_rate=0.1),
    neck=dict(in_channels=[32, 64, 128, 256], out_channels=channels),
    rpn_head=dict(
        in_channels=channels,
        feat_channels=channels,
        anchor_generator=dict(scales=[4])),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=channels),
        bbox_head=dict(
            in_channels=channels, fc_out_channels=256, num_classes=4),
        mask_roi_extractor=dict(out_channels=channels),
        mask_head=dict(
            in_channels=channels, conv_out_channels=channels,
            num_classes=4)),
    # 100 proposals and 64 sampled RoIs per image in training (a scene has
    # at most 4 objects): 0.14 s an iteration on 2 cores instead of 0.20
    train_cfg=dict(
        rpn_proposal=dict(nms_pre=1000, max_per_img=100),
        rcnn=dict(sampler=dict(num=64))),
    test_cfg=dict(rpn=dict(nms_pre=500, max_per_img=300)))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor'))
]
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        data_root=data_root, metainfo=metainfo, pipeline=train_pipeline))
test_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        data_root=data_root, metainfo=metainfo, pipeline=test_pipeline))
test_evaluator = dict(
    ann_file=data_root + 'annotations/instances_val2017_nonsd.json')
val_dataloader = None
val_evaluator = None
val_cfg = None

# lr decay over the demo's 5 blocks (ConvNeXt-S: 36 blocks, num_layers 12)
# where they are fine-tuned; the stage-output norms train at the full lr
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(lr=5e-4),
    paramwise_cfg=dict(num_layers=4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
         end=50),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True,
         milestones=[2], gamma=0.1)
]
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
# every arm of a transfer-study seed loads its backbone (random init: the
# seed's starting point), so all draw the same neck and heads
randomness = dict(seed=0)
default_hooks = dict(
    logger=dict(interval=10),
    # every epoch, keeping two: a killed run loses at most one epoch
    checkpoint=dict(interval=1, max_keep_ckpts=2))
