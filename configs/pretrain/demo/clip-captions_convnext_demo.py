# The demo of ../clip-captions_convnext_s.py: the captions arm on the demo
# NSD, whose generator writes five captions per image from the scene's
# content (coco/annotations/captions_{train,val}2017.json: each object's
# colour, category and quadrant, the sky's and the ground's colours). The
# backbone, images, batches, schedule and starting point are
# brainformer_convnext_demo.py's; the text transformer is small. 64 tokens
# hold the longest demo caption (49).
_base_ = './brainformer_convnext_demo.py'
context_length = 64
captions_dir = 'coco/annotations'

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
    text_encoder=dict(
        type='CaptionTransformer',
        embed_dims={{_base_.embed_dims}},
        width=64,
        num_layers=2,
        num_heads=4,
        context_length=context_length),
    head=dict(
        type='BrainAlignHead',
        in_channels=256,
        roi_pooling='global',
        contrastive_loss={{_base_.model.head.contrastive_loss}},
        guidance_loss=None))
val_evaluator = dict(paired_key='text_embed')
test_evaluator = val_evaluator
