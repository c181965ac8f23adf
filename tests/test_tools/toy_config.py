custom_imports = dict(imports=['toy_modules'], allow_failed_imports=False)
default_scope = 'mmbrain'

model = dict(type='ToyRegressor')
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    dataset=dict(type='ToyRegressionDataset'),
    sampler=dict(type='InfiniteSampler', shuffle=True))
test_dataloader = dict(
    batch_size=5,
    num_workers=0,
    dataset=dict(type='ToyRegressionDataset'),
    sampler=dict(type='DefaultSampler', shuffle=False))
test_evaluator = dict(type='ToyMSEMetric')
test_cfg = dict(type='TestLoop')
train_cfg = dict(type='IterBasedTrainLoop', max_iters=10)
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=0.05))
param_scheduler = dict(
    type='CosineAnnealingLR', by_epoch=False, begin=0, end=10, T_max=10)
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=2),
    logger=dict(type='LoggerHook', interval=1))
custom_hooks = [
    dict(type='KillAtIterHook'),
    dict(type='RecordRankHook'),
]
log_processor = dict(by_epoch=False)
randomness = dict(seed=0)
