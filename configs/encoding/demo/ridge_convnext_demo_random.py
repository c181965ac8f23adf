# The demo: ridge_convnext_s_random.py on the demo NSD's held-out subject 3,
# with the small ConvNeXt of the demo pretraining at its 96x96.
_base_ = '../ridge_convnext_s_random.py'
data_root = 'data/demo_nsd'
img_size = 96
pipeline = [
    dict(type='LoadNSDImage'),
    dict(type='LoadBrainResponses'),
    dict(type='Resize', scale=(img_size, img_size)),
    dict(type='PackBrainInputs'),
]
data = dict(data_root=data_root, subjects=[3], pipeline=pipeline)
train_dataloader = dict(batch_size=32, num_workers=0, dataset=data)
test_dataloader = dict(batch_size=32, num_workers=0, dataset=data)
model = dict(
    backbone=dict(
        arch=dict(
            _delete_=True, depths=[1, 1, 2, 1], channels=[32, 64, 128,
                                                          256])))
