# NEURONS' brain model and losses on ConvNeXt-S (8 GPUs x 64):
#   tools/dist_train.sh configs/pretrain/mindeye_convnext_s.py 8
# MindEyeBrainEncoder in place of the Brainformer encoder: per subject a
# linear map of all its ROI-group voxels to a shared 1024-d latent (MindEye2
# uses 4096 over ~15k nsdgeneral voxels; the six groups hold up to ~69k
# here, so 4096 would put 2B parameters in the seven maps), then MindEye2's
# four residual MLP blocks. One token, no ROI features: no guidance loss.
# BiMixCo for the first third of the iterations, SoftCLIP after (MindEye's
# schedule), one learnable temperature; loss_weight 1 puts the averaged
# directions on the scale of the main recipe's 0.5 x (sum of directions).
_base_ = './brainformer_convnext_s.py'
model = dict(
    brain_encoder=dict(
        _delete_=True,
        type='MindEyeBrainEncoder',
        num_voxels=[10000, 4000, 5000, 6000, 4000, 40000],
        subjects={{_base_.subjects}},
        latent_dims=1024,
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
