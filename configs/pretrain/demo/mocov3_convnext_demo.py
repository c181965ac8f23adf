# The demo of ../mocov3_convnext_s.py, the image-only self-supervised arm:
# mmpretrain's MoCo v3 on the demo NSD images, its algorithm, neck, head,
# loss and views those of brainformer-mocov3_convnext_demo.py, and the rest
# brainformer_convnext_demo.py's: the images (the pretraining subjects'
# training trials, so the same iterations), batch, schedule, lr, and the
# backbone, which the transfer study starts from the seed's shared one.
# No fMRI is read, and nothing is validated (MoCo v3 has no prediction).
_base_ = './brainformer-mocov3_convnext_demo.py'

train_pipeline = [
    dict(type='LoadNSDImage'),
    dict(type='Resize', scale=({{_base_.view_size}}, {{_base_.view_size}})),
    dict(
        type='mmpretrain.MultiView',
        transforms={{_base_.views}},
        num_views=[1, 1]),
    dict(type='mmpretrain.PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
model = dict(
    _delete_=True,
    type='mmpretrain.MoCoV3',
    base_momentum={{_base_.model.self_supervised.base_momentum}},
    data_preprocessor=dict(
        type='mmpretrain.SelfSupDataPreprocessor',
        mean={{_base_.model.data_preprocessor.mean}},
        std={{_base_.model.data_preprocessor.std}}),
    backbone={{_base_.model.backbone}},
    neck={{_base_.model.self_supervised.neck}},
    head={{_base_.model.self_supervised.head}})
val_dataloader = None
val_evaluator = None
val_cfg = None
test_dataloader = None
test_evaluator = None
test_cfg = None
