# The demo of ../brainformer_convnext_s_reliable-voxels.py: only voxels with
# ncsnr >= 0.5 (the demo's ncsnr ranges from 0.3 to 1.0 by ROI group; this
# drops about a quarter of the voxels, 40% of floc-places and streams).
_base_ = './brainformer_convnext_demo.py'
pipeline = [
    dict(type='LoadNSDImage'),
    dict(type='LoadBrainResponses', min_ncsnr=0.5),
    dict(type='Resize', scale=({{_base_.img_size}}, {{_base_.img_size}})),
    dict(type='PackBrainInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=pipeline))
val_dataloader = dict(dataset=dict(pipeline=pipeline))
test_dataloader = val_dataloader
