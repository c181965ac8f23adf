# The demo of ../brainformer-mocov3_convnext_s.py: the paper's recipe
# (brainformer_convnext_demo_paper.py: global pooling for p̄^k, the
# sample's other ROIs as guidance negatives), which beat the recommended
# head under MoCo v3 on the validation probes, with MoCo v3's image-only
# loss added to the brain losses (the ssl+brain arm). Two augmented views of each image feed MoCo v3's loss; the image as
# the subject saw it feeds the brain losses. mmpretrain's algorithm, neck,
# head and loss (its mocov3_resnet50 settings, temperature 1) at the demo's
# sizes: the 256-channel last stage, a 512-wide projector and predictor,
# 128-d projections. MoCo v3 was chosen over BYOL and SimCLR on the
# validation probes (docs/user_guides/transfer_study.md), with these views.
_base_ = './brainformer_convnext_demo_paper.py'
view_size = {{_base_.img_size}}

# BYOL's views (mmpretrain's _base_/datasets/imagenet_bs32_byol.py) of the
# RGB images, as measured on validation (MoCo v3's own differ in a smallest
# crop of 0.2 of the image, not 0.08): the second blurs less often and may
# solarize
views = [[
    dict(
        type='mmpretrain.RandomResizedCrop',
        scale=view_size,
        interpolation='bicubic',
        backend='pillow'),
    dict(type='RandomFlip', prob=0.5),
    dict(
        type='RandomApply',
        transforms=[
            # torchvision's: mmcv's adjust_hue overflows under numpy 2
            dict(type='mmpretrain.NumpyToPIL'),
            dict(
                type='mmpretrain.torchvision/ColorJitter',
                brightness=0.4,
                contrast=0.4,
                saturation=0.2,
                hue=0.1),
            dict(type='mmpretrain.PILToNumpy'),
        ],
        prob=0.8),
    dict(
        type='RandomGrayscale',
        prob=0.2,
        keep_channels=True,
        channel_weights=(0.2989, 0.587, 0.114)),  # RGB (mmpretrain's: BGR)
    dict(
        type='mmpretrain.GaussianBlur',
        magnitude_range=(0.1, 2.0),
        magnitude_std='inf',
        prob=prob_blur),
    dict(type='mmpretrain.Solarize', thr=128, prob=prob_solarize),
] for prob_blur, prob_solarize in ((1., 0.), (0.1, 0.2))]

train_pipeline = [
    dict(type='LoadNSDImage'),
    dict(type='LoadBrainResponses'),
    dict(type='Resize', scale=(view_size, view_size)),
    dict(type='AugmentedViews', transforms=views, num_views=[1, 1]),
    dict(type='PackBrainInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))


temperature = 1.0
model = dict(
    self_supervised=dict(
        type='mmpretrain.MoCoV3',
        base_momentum=0.01,
        neck=dict(
            type='mmbrain.LastStageNeck',
            neck=dict(
                type='mmpretrain.NonLinearNeck',
                in_channels=256,
                hid_channels=512,
                out_channels=128,
                num_layers=2,
                with_bias=False,
                with_last_bn=True,
                with_last_bn_affine=False,
                with_last_bias=False,
                with_avg_pool=True,
                norm_cfg=dict(type='BN1d'))),
        head=dict(
            type='mmpretrain.MoCoV3Head',
            predictor=dict(
                type='mmpretrain.NonLinearNeck',
                in_channels=128,
                hid_channels=512,
                out_channels=128,
                num_layers=2,
                with_bias=False,
                with_last_bn=False,
                with_last_bn_affine=False,
                with_last_bias=False,
                with_avg_pool=False,
                norm_cfg=dict(type='BN1d')),
            loss=dict(
                type='mmpretrain.CrossEntropyLoss',
                loss_weight=2 * temperature),
            temperature=temperature)),
    self_supervised_weight=1.)
