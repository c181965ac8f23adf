# The demo of ../brainformer_convnext_s_reliable-voxels.py.
_base_ = [
    '../brainformer_convnext_s_reliable-voxels.py',
    '../../_base_/demo/nsd.py'
]
_base_.merge(_base_.demo.nsd)
_base_.merge(_base_.pop('demo').brainformer)
# ncsnr >= 0.5: the demo's ncsnr ranges from 0.3 to 1.0 by ROI group, and
# this drops about a quarter of the voxels (40% of floc-places and streams)
pipeline = [
    dict(t, min_ncsnr=0.5) if t.type == 'LoadBrainResponses' else t
    for t in _base_.pipeline
]
train_dataloader = dict(dataset=dict(pipeline=pipeline))
val_dataloader = dict(dataset=dict(pipeline=pipeline))
test_dataloader = val_dataloader
