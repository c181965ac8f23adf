# NEURONS' brain model and losses on ConvNeXt-S (8 GPUs x 64):
#   tools/dist_train.sh configs/pretrain/mindeye_convnext_s.py 8
# MindEyeBrainEncoder in place of the Brainformer encoder, fed as MindEye2
# feeds it: one ROI, nsdgeneral (prepare it: prepare_nsd.py data/nsd
# --subjects 1 ... 7 --rois nsdgeneral), 12682-17907 voxels per subject
# (subj06 the most). Per subject a linear map of those voxels to MindEye2's
# shared 4096-d latent (73.4M parameters each, 513M for the seven), then
# MindEye2's four residual MLP blocks (70M): 584M in the encoder. With
# AdamW in fp32 (weights, gradients and two moments, 16 bytes a parameter)
# that is 1.17 GB per subject and 9.3 GB for the encoder on every GPU.
# One token, no ROI features: no guidance loss. BiMixCo for the first third
# of the iterations, SoftCLIP after (MindEye's schedule), one learnable
# temperature; loss_weight 1 puts the averaged directions on the scale of
# the main recipe's 0.5 x (sum of directions).
_base_ = './brainformer_convnext_s.py'
rois = ['nsdgeneral']
train_dataloader = dict(dataset=dict(rois=rois))
val_dataloader = dict(dataset=dict(rois=rois))
test_dataloader = val_dataloader
model = dict(
    brain_encoder=dict(
        _delete_=True,
        type='MindEyeBrainEncoder',
        num_voxels=[17907],
        subjects={{_base_.subjects}},
        latent_dims=4096,
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
