# Voxel-encoding alignment of ConvNeXt-S on NSD subjects 1-7 (8 GPUs x 64):
#   tools/dist_train.sh configs/pretrain/voxel-encoding_convnext_s.py 8
# The backbone learns to predict the z-scored responses themselves: its last
# map, pooled 2x2 and projected to 256 dims, feeds one linear readout per
# subject and ROI group, and each group's mean squared error counts equally
# (RoiBalancedMSELoss), so that the large groups do not drown the small.
# The encoding objective of neural regularisation and ReAlnet; a positive
# control of the brain arms, with their backbone, data and schedule.
# num_outputs bounds each group's voxel count over the subjects (raise it if
# prepare_nsd.py prints more).
_base_ = './brainformer_convnext_s.py'
model = dict(
    _delete_=True,
    type='ResponseRegressionPretrainer',
    target='fmri',
    backbone={{_base_.model.backbone}},
    head=dict(
        type='ResponseReadoutHead',
        in_channels=768,
        num_outputs=[10000, 4000, 5000, 6000, 4000, 40000],
        subjects={{_base_.subjects}},
        pool_size=2,
        embed_dims=256))
# how well the readouts predict the held-out images' responses
val_evaluator = dict(_delete_=True, type='BrainEncodingMetric')
test_evaluator = val_evaluator
