# A candidate image-only arm, measured against mocov3_convnext_s.py on the
# validation probes: SimCLR, mmpretrain's algorithm, neck, head and loss
# with its simclr_resnet50 settings (temperature 0.1), with its views
# (../_base_/datasets/nsd_views.py). The images and schedule are
# mocov3_convnext_s.py's (8 GPUs x 64):
#   tools/dist_train.sh configs/pretrain/simclr_convnext_s.py 8
_base_ = './mocov3_convnext_s.py'
train_dataloader = dict(dataset=dict(pipeline={{_base_.simclr_pipeline}}))
model = dict(
    _delete_=True,
    type='mmpretrain.SimCLR',
    data_preprocessor=_base_.model.data_preprocessor,
    backbone=_base_.model.backbone,
    # MoCo v3's projector, 2048 wide to 128-d, its last BatchNorm affine
    neck=dict(
        _base_.model.neck,
        neck=dict(
            _base_.model.neck.neck,
            hid_channels=2048,
            out_channels=128,
            with_last_bn_affine=True)),
    head=dict(
        type='mmpretrain.ContrastiveHead',
        loss=dict(type='mmpretrain.CrossEntropyLoss'),
        temperature=0.1))
