# The demo of ../mindeye_convnext_s.py: the MindEye-style brain model with a
# 128-d latent; the demo subjects have at most 778/145/183/204/148/996
# voxels per ROI group.
_base_ = './brainformer_convnext_demo.py'
model = dict(
    brain_encoder=dict(
        _delete_=True,
        type='MindEyeBrainEncoder',
        num_voxels=[1000, 200, 250, 250, 200, 1200],
        subjects={{_base_.subjects}},
        latent_dims=128,
        embed_dims={{_base_.embed_dims}}),
    mixco=dict(alpha=0.15, prob=0.5),
    head=dict(
        contrastive_loss=dict(
            type='BiMixCoLoss', unmixed_targets='softclip', loss_weight=1.),
        guidance_loss=None))
custom_hooks = [
    dict(type='BackboneExportHook'),
    dict(type='MixCoScheduleHook', mix_ratio=1 / 3)
]
