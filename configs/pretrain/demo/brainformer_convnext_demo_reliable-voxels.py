# The demo of ../brainformer_convnext_s_reliable-voxels.py: only voxels with
# ncsnr >= 1 (the demo's voxels are far less noisy than NSD's; this drops
# about a quarter of the floc groups).
_base_ = './brainformer_convnext_demo.py'
pipeline = [
    dict(type='LoadNSDImage'),
    dict(type='LoadBrainResponses', min_ncsnr=1.0),
    dict(type='Resize', scale=({{_base_.img_size}}, {{_base_.img_size}})),
    dict(type='PackBrainInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=pipeline))
val_dataloader = dict(dataset=dict(pipeline=pipeline))
test_dataloader = val_dataloader
