# The ssl+brain arm: Brainformer pretraining of ConvNeXt-S with the paper's
# head (brainformer_convnext_s_paper.py, which beat the recommended head
# under MoCo v3 on the demo's validation probes) and MoCo v3's image-only
# loss added to the brain losses, its weight self_supervised_weight beside
# theirs (the head's loss_weight), on 8 GPUs x 64:
#   tools/dist_train.sh configs/pretrain/brainformer-mocov3_convnext_s.py 8
# Two augmented views of each image feed MoCo v3's loss; the image as the
# subject saw it (no augmentation: the fMRI belongs to it) feeds the brain
# losses. mmpretrain's MoCo v3 algorithm, neck, head and loss with its
# mocov3_resnet50 settings (a 4096-wide projector and predictor, 256-d
# projections, temperature 1, momentum from 0.99 to 1), on the last stage.
# MoCo v3 was chosen over BYOL and SimCLR on the demo's validation probes,
# with these views (docs/user_guides/transfer_study.md).
_base_ = './brainformer_convnext_s_paper.py'
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
                in_channels=768,
                hid_channels=4096,
                out_channels=256,
                num_layers=2,
                with_bias=False,
                with_last_bn=True,
                with_last_bn_affine=False,
                with_last_bias=False,
                with_avg_pool=True)),
        head=dict(
            type='mmpretrain.MoCoV3Head',
            predictor=dict(
                type='mmpretrain.NonLinearNeck',
                in_channels=256,
                hid_channels=4096,
                out_channels=256,
                num_layers=2,
                with_bias=False,
                with_last_bn=False,
                with_last_bn_affine=False,
                with_last_bias=False,
                with_avg_pool=False),
            loss=dict(
                type='mmpretrain.CrossEntropyLoss',
                loss_weight=2 * temperature),
            temperature=temperature)),
    self_supervised_weight=1.)
