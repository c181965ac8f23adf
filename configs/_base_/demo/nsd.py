# The scale of the demos on the demo NSD (make demo: 2 CPU cores, minutes).
# A demo config inherits its full-size twin first and this file second, then
# merges the scale into the twin's keys (mmengine merges no base into
# another), the data and schedule first, then its model's parts:
#   _base_.merge(_base_.demo.nsd)
#   _base_.merge(_base_.pop('demo').brainformer)
# nsd: subjects 1 and 2 at the 96 px the demo scenes are drawn at (no
# resampling; a 3x3 last-stage map), a small ConvNeXt, 12 epochs of
# batches of 16 at 10x the paper's lr; encoding: the held-out subject 3.
_base_ = '../datasets/nsd_views.py'
__img_size = 96
__data = dict(
    data_root='data/demo_nsd',
    subjects=[1, 2],  # subject 3 is held out, as subject 8 is for NSD
    pipeline=[
        dict(type='LoadNSDImage'),
        dict(type='LoadBrainResponses'),
        dict(type='Resize', scale=(__img_size, __img_size)),
        dict(type='PackBrainInputs'),
    ])
__loader = dict(num_workers=0, persistent_workers=False, pin_memory=False)
__backbone = dict(
    arch=dict(
        _delete_=True, depths=[1, 1, 2, 1], channels=[32, 64, 128, 256]))
__in_channels = 256  # the backbone's last stage
# per ROI group, the width of a linear encoder or readout: at least the
# demo subjects' most voxels (778/145/183/204/149/999)
__num_voxels = [1000, 200, 250, 250, 200, 1200]
# the self-supervised algorithms' projector and predictor, with the
# BatchNorm of one process
__projector = dict(
    in_channels=__in_channels,
    hid_channels=512,
    out_channels=128,
    norm_cfg=dict(type='BN1d'))
# the views and pipelines of ../datasets/nsd_views.py at the demo's size
__sizes = {
    'Resize': dict(scale=(__img_size, __img_size)),
    'mmpretrain.RandomResizedCrop': dict(scale=__img_size)
}
__ssl = {
    key: [[dict(t, **__sizes.get(t.type, {})) for t in view]
          for view in _base_[key]]
    for key in ('byol_views', 'simclr_views')
}
__ssl.update({
    pipeline: [
        dict(t, transforms=__ssl[views]) if 'transforms' in t else
        dict(t, **__sizes.get(t.type, {})) for t in _base_[pipeline]
    ]
    for pipeline, views in (('byol_brain_pipeline', 'byol_views'),
                            ('byol_pipeline', 'byol_views'),
                            ('simclr_pipeline', 'simclr_views'))
})
_base_.clear()  # this file adds only `demo` to a config
demo = dict(
    nsd=dict(
        __data,
        img_size=__img_size,
        max_epochs=12,
        embed_dims=64,
        train_dataloader=dict(batch_size=16, dataset=__data, **__loader),
        val_dataloader=dict(batch_size=20, dataset=__data, **__loader),
        test_dataloader=dict(batch_size=20, dataset=__data, **__loader),
        model=dict(backbone=__backbone),
        train_cfg=dict(max_epochs=12, val_interval=12),
        optim_wrapper=dict(optimizer=dict(lr=1e-3)),
        default_hooks=dict(
            logger=dict(interval=5),
            # every epoch, keeping two: a killed run loses at most one
            checkpoint=dict(interval=1, max_keep_ckpts=2))),
    encoding=dict(
        data_root=__data['data_root'],
        img_size=__img_size,
        pipeline=__data['pipeline'],
        train_dataloader=dict(
            batch_size=32, num_workers=0,
            dataset=dict(__data, subjects=[3])),
        test_dataloader=dict(
            batch_size=32, num_workers=0,
            dataset=dict(__data, subjects=[3])),
        model=dict(backbone=__backbone)),
    # a quarter of the paper's windows and tokens
    brainformer=dict(
        model=dict(
            brain_encoder=dict(
                embed_dims=64,
                kernel_size=8,
                token_stride=4,
                window_size=16,
                window_stride=8,
                num_heads=4),
            head=dict(in_channels=__in_channels))),
    linear_encoder=dict(
        model=dict(
            brain_encoder=dict(num_voxels=__num_voxels, embed_dims=64),
            head=dict(in_channels=__in_channels))),
    mindeye=dict(
        model=dict(
            brain_encoder=dict(
                num_voxels=[1600],  # the demo's nsdgeneral: 1520 at most
                subjects=__data['subjects'],
                latent_dims=128,
                embed_dims=64),
            head=dict(in_channels=__in_channels))),
    voxel_encoding=dict(
        model=dict(
            head=dict(
                in_channels=__in_channels,
                num_outputs=__num_voxels,
                subjects=__data['subjects'],
                embed_dims=64))),
    # 64 tokens hold the longest demo caption (49)
    captions=dict(
        context_length=64,
        captions_dir='coco/annotations',
        train_dataloader=dict(dataset=dict(captions_dir='coco/annotations')),
        val_dataloader=dict(dataset=dict(captions_dir='coco/annotations')),
        test_dataloader=dict(dataset=dict(captions_dir='coco/annotations')),
        model=dict(
            text_encoder=dict(
                embed_dims=64,
                width=64,
                num_layers=2,
                num_heads=4,
                context_length=64),
            head=dict(in_channels=__in_channels))),
    # the image-only algorithms have nothing to validate
    mocov3=dict(
        __ssl,
        view_size=__img_size,
        train_dataloader=dict(
            dataset=dict(pipeline=__ssl['byol_pipeline'])),
        val_dataloader=None,
        test_dataloader=None,
        model=dict(
            neck=dict(neck=__projector),
            head=dict(predictor=dict(__projector, in_channels=128)))),
    simclr=dict(
        __ssl,
        view_size=__img_size,
        train_dataloader=dict(
            dataset=dict(pipeline=__ssl['simclr_pipeline'])),
        val_dataloader=None,
        test_dataloader=None,
        model=dict(neck=dict(neck=__projector))))
# the brain losses with MoCo v3's beside
demo['brainformer_mocov3'] = dict(
    __ssl,
    view_size=__img_size,
    train_dataloader=dict(
        dataset=dict(pipeline=__ssl['byol_brain_pipeline'])),
    model=dict(
        demo['brainformer']['model'],
        self_supervised=demo['mocov3']['model']))
# the multi-label probes on the demo's COCO without NSD images
__coco_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(__img_size, __img_size)),
    dict(type='mmpretrain.PackInputs'),
]
__coco = dict(data_root='data/demo_nsd/coco/', pipeline=__coco_pipeline)
demo['multilabel_probe'] = dict(
    data_root=__coco['data_root'],
    img_size=__img_size,
    pipeline=__coco_pipeline,
    train_dataloader=dict(batch_size=32, num_workers=0, dataset=__coco),
    test_dataloader=dict(batch_size=32, num_workers=0, dataset=__coco),
    model=dict(backbone=__backbone),
    # one corruption of each family (noise, blur, weather, digital) at the
    # middle severity, 3 (make demo's time); the benchmark's 15 x 5 is
    # --corruptions benchmark
    corruption=dict(
        corruptions=('gaussian_noise', 'defocus_blur', 'fog',
                     'jpeg_compression'),
        severities=(3, )))
# the linear segmentation probe on the demo's ADE20K
__ade_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmseg.LoadAnnotations', reduce_zero_label=True),
    dict(type='Resize', scale=(128, 128), keep_ratio=False),
    dict(type='mmseg.PackSegInputs'),
]
__ade = dict(
    data_root='data/demo_nsd/ade20k',
    metainfo=dict(
        classes=('sky', 'earth', 'person', 'clock', 'signboard', 'car')),
    pipeline=__ade_pipeline)
demo['segmentation_probe'] = dict(
    data_root=__ade['data_root'],
    img_size=128,
    pipeline=__ade_pipeline,
    train_dataloader=dict(batch_size=32, num_workers=0, dataset=__ade),
    test_dataloader=dict(batch_size=32, num_workers=0, dataset=__ade),
    model=dict(backbone=__backbone),
    corruption=demo['multilabel_probe']['corruption'])
