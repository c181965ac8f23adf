# The demo of ../voxel-encoding_convnext_s.py: the demo backbone, data and
# schedule of brainformer_convnext_demo.py; the demo subjects have at most
# 780/145/183/204/149/999 voxels per ROI group.
_base_ = './brainformer_convnext_demo.py'
model = dict(
    _delete_=True,
    type='ResponseRegressionPretrainer',
    target='fmri',
    backbone={{_base_.model.backbone}},
    head=dict(
        type='ResponseReadoutHead',
        in_channels=256,
        num_outputs=[1000, 200, 250, 250, 200, 1200],
        subjects={{_base_.subjects}},
        pool_size=2,
        embed_dims={{_base_.embed_dims}}))
val_evaluator = dict(_delete_=True, type='BrainEncodingMetric')
test_evaluator = val_evaluator
