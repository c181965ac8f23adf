# Augmented views of the NSD images for a self-supervised loss (mmpretrain's
# _base_/datasets/imagenet_bs32_byol.py and imagenet_bs32_simclr.py), of the
# RGB images at the pretraining's 224 px, and the training pipelines that
# make them: beside the image the subject saw and its responses (the brain
# losses see the image un-augmented), or alone.
view_size = 224

# BYOL's views (MoCo v3's own differ in a smallest crop of 0.2 of the
# image, not 0.08): the second blurs less often and may solarize
byol_views = [[
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

# SimCLR's: two of one kind, stronger colour jitter, blur half the time
simclr_views = [[
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

# the image and its responses, with two BYOL views
byol_brain_pipeline = [
    dict(type='LoadNSDImage'),
    dict(type='LoadBrainResponses'),
    dict(type='Resize', scale=(view_size, view_size)),
    dict(type='AugmentedViews', transforms=byol_views, num_views=[1, 1]),
    dict(type='PackBrainInputs'),
]
# the views alone
byol_pipeline = [
    dict(type='LoadNSDImage'),
    dict(type='Resize', scale=(view_size, view_size)),
    dict(type='mmpretrain.MultiView', transforms=byol_views, num_views=[1, 1]),
    dict(type='mmpretrain.PackInputs'),
]
simclr_pipeline = [
    dict(type='LoadNSDImage'),
    dict(type='Resize', scale=(view_size, view_size)),
    dict(type='mmpretrain.MultiView', transforms=simclr_views, num_views=2),
    dict(type='mmpretrain.PackInputs'),
]
