# The captions arm, the CLIP row of Brainformer's tables: ConvNeXt-S aligned
# with a text transformer trained from scratch on the COCO captions of the
# same NSD images (8 GPUs x 64):
#   tools/dist_train.sh configs/pretrain/clip-captions_convnext_s.py 8
# Everything but the paired modality is the brain arms': the images and
# their split (NSDBrainDataset over subjects 1-7, which still reads the
# prepared cache for which images each subject saw, but no fMRI), the
# backbone, the schedule, and the head's global projection p with its
# contrastive loss (guidance_loss=None: captions have no ROI features).
# Each training step draws one of an image's ~5 captions; validation takes
# the first, and reports image <-> caption retrieval on the shared1000
# images under the brain arms' key names (paired_key='text_embed').
# The captions are COCO's: data/coco/annotations/captions_{train,val}2017.json
# (captions_dir is relative to data_root).
_base_ = './brainformer_convnext_s.py'
context_length = 77  # CLIP's
captions_dir = '../coco/annotations'

train_pipeline = [
    dict(type='LoadNSDImage'),
    dict(type='LoadCaption'),
    dict(type='TokenizeCaption', context_length=context_length),
    dict(type='Resize', scale=({{_base_.img_size}}, {{_base_.img_size}})),
    dict(type='PackBrainInputs'),
]
test_pipeline = [
    dict(type='LoadNSDImage'),
    dict(type='LoadCaption', random=False),
    dict(type='TokenizeCaption', context_length=context_length),
    dict(type='Resize', scale=({{_base_.img_size}}, {{_base_.img_size}})),
    dict(type='PackBrainInputs'),
]
train_dataloader = dict(
    dataset=dict(captions_dir=captions_dir, pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(captions_dir=captions_dir, pipeline=test_pipeline))
test_dataloader = val_dataloader

model = dict(
    _delete_=True,
    type='CaptionContrastivePretrainer',
    data_preprocessor={{_base_.model.data_preprocessor}},
    backbone={{_base_.model.backbone}},
    # CLIP's text transformer (causal, pooled at <end>), half as deep
    text_encoder=dict(
        type='CaptionTransformer',
        embed_dims={{_base_.embed_dims}},
        width=512,
        num_layers=6,
        num_heads=8,
        context_length=context_length),
    head=dict(
        type='BrainAlignHead',
        in_channels=768,
        roi_pooling='global',
        contrastive_loss={{_base_.model.head.contrastive_loss}},
        guidance_loss=None))
val_evaluator = dict(paired_key='text_embed')
test_evaluator = val_evaluator
