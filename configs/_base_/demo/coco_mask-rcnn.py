# The scale of the Mask R-CNN demos (make demo: 2 CPU cores, minutes). A
# demo config inherits its full-size twin first and this file second, then
# merges the scale into the twin's keys: _base_.merge(_base_.pop('demo')).
# The demo's COCO without NSD images (its 4 categories, 128 px scenes, 10-50
# px objects), the demo pretraining's ConvNeXt, frozen, a 64-channel FPN and
# heads, 3 epochs in fp32 (mmengine has no AMP on the CPU), no validation
# during training (tools/test.py evaluates val2017 without NSD).
__data_root = 'data/demo_nsd/coco/'
# in the order of their COCO ids, as the demo's json lists them
__metainfo = dict(classes=('person', 'car', 'stop sign', 'clock'))
__img_scale = (128, 128)
__channels = 64
__max_epochs = 3
__data = dict(data_root=__data_root, metainfo=__metainfo)
__loader = dict(batch_size=4, num_workers=0, persistent_workers=False)
__train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='Resize', scale=__img_scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
__test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=__img_scale, keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor'))
]
demo = dict(
    data_root=__data_root,
    metainfo=__metainfo,
    img_scale=__img_scale,
    channels=__channels,
    max_epochs=__max_epochs,
    model=dict(
        backbone=dict(
            arch=dict(
                _delete_=True,
                depths=[1, 1, 2, 1],
                channels=[32, 64, 128, 256]),
            # the neck and heads read what each arm's pretraining put in its
            # four stages (the norms of their outputs train);
            # frozen_stages=0 fine-tunes it with this stochastic depth
            frozen_stages=4,
            drop_path_rate=0.1),
        neck=dict(in_channels=[32, 64, 128, 256], out_channels=__channels),
        rpn_head=dict(
            in_channels=__channels,
            feat_channels=__channels,
            # anchors of 16-256 px (mmdet's scale 8 starts at 32 px)
            anchor_generator=dict(scales=[4])),
        roi_head=dict(
            bbox_roi_extractor=dict(out_channels=__channels),
            bbox_head=dict(
                in_channels=__channels, fc_out_channels=256, num_classes=4),
            mask_roi_extractor=dict(out_channels=__channels),
            mask_head=dict(
                in_channels=__channels,
                conv_out_channels=__channels,
                num_classes=4)),
        # 100 proposals and 64 sampled RoIs per image in training (a scene
        # has at most 4 objects)
        train_cfg=dict(
            rpn_proposal=dict(nms_pre=1000, max_per_img=100),
            rcnn=dict(sampler=dict(num=64))),
        test_cfg=dict(rpn=dict(nms_pre=500, max_per_img=300))),
    train_pipeline=__train_pipeline,
    test_pipeline=__test_pipeline,
    train_dataloader=dict(
        __loader, dataset=dict(__data, pipeline=__train_pipeline)),
    test_dataloader=dict(
        __loader, dataset=dict(__data, pipeline=__test_pipeline)),
    test_evaluator=dict(
        ann_file=__data_root + 'annotations/instances_val2017_nonsd.json'),
    val_dataloader=None,
    val_evaluator=None,
    val_cfg=None,
    # lr decay over the demo's 5 blocks (ConvNeXt-S: 36 blocks, num_layers
    # 12) where they are fine-tuned; the stage-output norms train at the
    # full lr
    optim_wrapper=dict(
        type='OptimWrapper',
        optimizer=dict(lr=5e-4),
        paramwise_cfg=dict(num_layers=4)),
    param_scheduler=[
        dict(
            type='LinearLR',
            start_factor=0.01,
            by_epoch=False,
            begin=0,
            end=50),
        dict(
            type='MultiStepLR',
            begin=0,
            end=__max_epochs,
            by_epoch=True,
            milestones=[2],
            gamma=0.1)
    ],
    train_cfg=dict(max_epochs=__max_epochs, val_interval=__max_epochs),
    # one seed: configs that differ only in the backbone's weights draw the
    # same neck and heads
    randomness=dict(seed=0),
    default_hooks=dict(
        logger=dict(interval=10),
        # every epoch, keeping two: a killed run loses at most one epoch
        checkpoint=dict(interval=1, max_keep_ckpts=2)))
