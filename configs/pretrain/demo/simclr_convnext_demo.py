# A candidate image-only arm, measured against mocov3_convnext_demo.py on the
# validation probes (tools/analysis_tools/select_on_validation.py): SimCLR,
# mmpretrain's algorithm, neck, head and loss (its simclr_resnet50 config)
# at the demo's sizes, with its views: two of one kind, stronger colour
# jitter, blur half the time. The rest is mocov3_convnext_demo.py's.
_base_ = './mocov3_convnext_demo.py'
view_size = {{_base_.view_size}}
views = [[
    dict(type='mmpretrain.RandomResizedCrop', scale=view_size,
         backend='pillow'),
    dict(type='RandomFlip', prob=0.5),
    dict(
        type='RandomApply',
        transforms=[
            dict(type='mmpretrain.NumpyToPIL'),
            dict(
                type='mmpretrain.torchvision/ColorJitter',
                brightness=0.8,
                contrast=0.8,
                saturation=0.8,
                hue=0.2),
            dict(type='mmpretrain.PILToNumpy'),
        ],
        prob=0.8),
    dict(
        type='RandomGrayscale',
        prob=0.2,
        keep_channels=True,
        channel_weights=(0.2989, 0.587, 0.114)),
    dict(
        type='mmpretrain.GaussianBlur',
        magnitude_range=(0.1, 2.0),
        magnitude_std='inf',
        prob=0.5),
]]
train_pipeline = [
    dict(type='LoadNSDImage'),
    dict(type='Resize', scale=(view_size, view_size)),
    dict(type='mmpretrain.MultiView', transforms=views, num_views=2),
    dict(type='mmpretrain.PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
model = dict(
    _delete_=True,
    type='mmpretrain.SimCLR',
    data_preprocessor={{_base_.model.data_preprocessor}},
    backbone={{_base_.model.backbone}},
    neck=dict(
        type='mmbrain.LastStageNeck',
        neck=dict(
            type='mmpretrain.NonLinearNeck',
            in_channels=256,
            hid_channels=512,
            out_channels=128,
            num_layers=2,
            with_avg_pool=True,
            norm_cfg=dict(type='BN1d'))),
    head=dict(
        type='mmpretrain.ContrastiveHead',
        loss=dict(type='mmpretrain.CrossEntropyLoss'),
        temperature=0.1))
