# The positive control: the demo backbone pretrained to regress the
# generator's own features of each image (standardised; scene_features.h5
# beside the image brick), the features that drive the synthetic brains, on
# the images, batches and schedule of brainformer_convnext_demo.py, through
# voxel-encoding_convnext_demo.py's model with one readout for every
# subject. Whatever the brain can teach here, the oracle is taught
# directly: an endpoint that the oracle does not move cannot show a brain
# effect (the study's gate).
_base_ = '../../../configs/pretrain/demo/voxel-encoding_convnext_demo.py'
pipeline = [
    dict(type='LoadNSDImage'),
    dict(type='LoadBrainResponses'),
    dict(type='LoadTargetVectors', file='scene_features.h5'),
    dict(type='Resize', scale=({{_base_.img_size}}, {{_base_.img_size}})),
    dict(type='PackBrainInputs'),
]
data = dict(pipeline=pipeline)
train_dataloader = dict(dataset=data)
val_dataloader = dict(dataset=data)
test_dataloader = val_dataloader
model = dict(
    target='features',
    # features per ROI group, in the dataset's rois order; the same for
    # every subject
    head=dict(num_outputs=[64, 4, 4, 7, 4, 7], subjects=None))
