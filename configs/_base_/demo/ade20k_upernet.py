# The scale of the UperNet demos (make demo: 2 CPU cores, minutes). A demo
# config inherits its full-size twin first and this file second, then
# merges the scale into the twin's keys: _base_.merge(_base_.pop('demo')).
# The demo's ADE20K (its 6 classes; mmseg maps the other ADE20K labels to
# ignored), the demo pretraining's ConvNeXt, frozen, 64-channel UperNet
# heads, 128 px crops of the 128 px scenes, 400 iterations in fp32
# (mmengine has no AMP on the CPU), no validation during training
# (tools/test.py evaluates the validation split).
__data_root = 'data/demo_nsd/ade20k'
__metainfo = dict(
    classes=('sky', 'earth', 'person', 'clock', 'signboard', 'car'))
__crop_size = (128, 128)
__max_iters = 400
__data = dict(data_root=__data_root, metainfo=__metainfo)
__loader = dict(batch_size=4, num_workers=0, persistent_workers=False)
__train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(
        type='RandomResize',
        scale=__crop_size,
        ratio_range=(1.0, 1.5),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=__crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
__test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=__crop_size, keep_ratio=True),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='PackSegInputs')
]
demo = dict(
    data_root=__data_root,
    metainfo=__metainfo,
    crop_size=__crop_size,
    max_iters=__max_iters,
    model=dict(
        data_preprocessor=dict(size=__crop_size),
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
        decode_head=dict(
            in_channels=[32, 64, 128, 256],
            channels=64,
            num_classes=6,
            # the objects cover a few % of the pixels each, sky and earth a
            # third
            loss_decode=dict(class_weight=[1., 1., 4., 4., 4., 4.])),
        auxiliary_head=dict(in_channels=128, channels=32, num_classes=6)),
    train_pipeline=__train_pipeline,
    test_pipeline=__test_pipeline,
    train_dataloader=dict(
        __loader, dataset=dict(__data, pipeline=__train_pipeline)),
    test_dataloader=dict(
        __loader, batch_size=1,
        dataset=dict(__data, pipeline=__test_pipeline)),
    val_dataloader=None,
    val_evaluator=None,
    val_cfg=None,
    # lr decay over the demo's 5 blocks (ConvNeXt-S: 36 blocks, num_layers
    # 12) where they are fine-tuned; the stage-output norms train at the
    # full lr
    optim_wrapper=dict(
        _delete_=True,  # the base's AmpOptimWrapper has a loss_scale
        type='OptimWrapper',
        optimizer=dict(
            type='AdamW', lr=2e-3, betas=(0.9, 0.999), weight_decay=0.05),
        constructor='LearningRateDecayOptimizerConstructor',
        paramwise_cfg=dict(
            decay_rate=0.9, decay_type='stage_wise', num_layers=4)),
    param_scheduler=[
        dict(
            type='LinearLR',
            start_factor=0.01,
            by_epoch=False,
            begin=0,
            end=20),
        dict(
            type='PolyLR',
            power=1.0,
            begin=20,
            end=__max_iters,
            eta_min=0.0,
            by_epoch=False)
    ],
    train_cfg=dict(max_iters=__max_iters, val_interval=__max_iters),
    # one seed: configs that differ only in the backbone's weights draw the
    # same neck and heads
    randomness=dict(seed=0),
    default_hooks=dict(
        logger=dict(interval=20),
        # every 100 iterations, keeping two: a killed run loses at most 100
        checkpoint=dict(interval=100, max_keep_ckpts=2)))
