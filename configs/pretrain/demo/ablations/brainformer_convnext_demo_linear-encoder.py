# The demo of ../../ablations/brainformer_convnext_s_linear-encoder.py; the
# demo subjects have at most 778/145/183/204/148/996 voxels per ROI group.
_base_ = '../brainformer_convnext_demo.py'
model = dict(
    brain_encoder=dict(
        _delete_=True,
        type='LinearBrainEncoder',
        num_voxels=[1000, 200, 250, 250, 200, 1200],
        embed_dims={{_base_.embed_dims}}))
