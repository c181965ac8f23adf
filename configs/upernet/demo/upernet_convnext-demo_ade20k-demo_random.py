# The demo (make demo): upernet_convnext-s_amp-160k_ade20k-512x512_random.py
# shrunk to train on 2 CPU cores in minutes, on the demo's ADE20K: its 6
# classes (mmseg maps the other ADE20K labels to ignored), the demo
# pretraining's ConvNeXt, 64-channel UperNet heads, 128 px crops of the
# 128 px scenes, fp32 (mmengine has no AMP on the CPU), and no validation
# during training (tools/test.py evaluates the validation split).
_base_ = '../upernet_convnext-s_amp-160k_ade20k-512x512_random.py'

data_root = 'data/demo_nsd/ade20k'
metainfo = dict(
    classes=('sky', 'earth', 'person', 'clock', 'signboard', 'car'))
crop_size = (128, 128)
max_iters = 400

model = dict(
    data_preprocessor=dict(size=crop_size),
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
    decode_head=dict(
        in_channels=[32, 64, 128, 256],
        channels=64,
        num_classes=6,
        # the objects cover a few % of the pixels each, sky and earth a
        # third: unweighted, 400 iterations learn only those two
        loss_decode=dict(class_weight=[1., 1., 4., 4., 4., 4.])),
    auxiliary_head=dict(in_channels=128, channels=32, num_classes=6))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(
        type='RandomResize',
        scale=crop_size,
        ratio_range=(1.0, 1.5),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=crop_size, keep_ratio=True),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='PackSegInputs')
]
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        data_root=data_root, metainfo=metainfo, pipeline=train_pipeline))
test_dataloader = dict(
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        data_root=data_root, metainfo=metainfo, pipeline=test_pipeline))
val_dataloader = None
val_evaluator = None
val_cfg = None

# lr decay over the demo's 5 blocks (ConvNeXt-S: 36 blocks, num_layers 12)
# where they are fine-tuned; the stage-output norms train at the full lr
optim_wrapper = dict(
    _delete_=True,  # the base's AmpOptimWrapper has a loss_scale
    type='OptimWrapper',
    optimizer=dict(
        type='AdamW', lr=2e-3, betas=(0.9, 0.999), weight_decay=0.05),
    constructor='LearningRateDecayOptimizerConstructor',
    paramwise_cfg=dict(decay_rate=0.9, decay_type='stage_wise',
                       num_layers=4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
         end=20),
    dict(type='PolyLR', power=1.0, begin=20, end=max_iters, eta_min=0.0,
         by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
# every arm of a transfer-study seed loads its backbone (random init: the
# seed's starting point), so all draw the same neck and heads
randomness = dict(seed=0)
default_hooks = dict(
    logger=dict(interval=20),
    # every 100 iterations, keeping two: a killed run loses at most 100
    checkpoint=dict(interval=100, max_keep_ckpts=2))
