# The paper's schedule: AdamW, lr 1e-4, cosine decay over 100 epochs, for a
# batch of 64 per GPU on 8 GPUs (the weight decay is not given: 0.05).
max_epochs = 100
optim_wrapper = dict(
    type='OptimWrapper',
    # fused: one kernel for the whole update (torch has it on CPU and GPU)
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=0.05, fused=True))
# `end` (and so T_max) defaults to train_cfg.max_epochs: a config that
# changes the epochs keeps a full cosine
param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        by_epoch=True,
        begin=0,
        convert_to_iter_based=True)
]
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=10)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
auto_scale_lr = dict(base_batch_size=512)
