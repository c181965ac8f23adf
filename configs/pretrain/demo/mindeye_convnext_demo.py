# The demo of ../mindeye_convnext_s.py: the MindEye-style brain model on the
# demo's nsdgeneral (the union of its six groups; at most 1520 voxels per
# subject) with a 128-d latent.
_base_ = './brainformer_convnext_demo.py'
rois = ['nsdgeneral']
train_dataloader = dict(dataset=dict(rois=rois))
val_dataloader = dict(dataset=dict(rois=rois))
test_dataloader = val_dataloader
model = dict(
    brain_encoder=dict(
        _delete_=True,
        type='MindEyeBrainEncoder',
        num_voxels=[1600],
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
