# Brainformer: the fMRI encoder and the alignment head. The config that
# inherits this one with a dataset adds the image backbone and the encoder's
# ROI groups: model = dict(backbone=dict(...),
# brain_encoder=dict(num_rois=len(_base_.rois))). The head takes num_rois
# and embed_dims from the encoder.
embed_dims = 768
model = dict(
    type='BrainGuidedPretrainer',
    data_preprocessor=dict(
        type='BrainDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        non_blocking=True),
    brain_encoder=dict(
        type='BrainformerEncoder',
        embed_dims=embed_dims,
        kernel_size=32,
        token_stride=16,
        window_size=64,
        window_stride=32,
        num_levels=2,
        num_heads=8,
        embed_type='voxel'),
    # the project's recipe: p̄^k pooled by ROI k's attention over the last
    # feature map, and guidance negatives from the other samples of the
    # batch (the paper's: global pooling and the sample's other ROIs, see
    # configs/pretrain/*_paper.py)
    head=dict(
        type='BrainAlignHead',
        in_channels=768,
        roi_pooling='attention',
        contrastive_loss=dict(
            type='BrainContrastiveLoss', temperature=0.07, loss_weight=0.5),
        guidance_loss=dict(
            type='BrainGuidanceLoss', negatives='batch', loss_weight=0.5)))
