# A candidate image-only arm, measured against mocov3_convnext_s.py on the
# validation probes: BYOL, mmpretrain's algorithm, head and loss with its
# byol_resnet50 settings (MoCo v3's projector and predictor with biases and
# no last BatchNorm), on the views, images and schedule of
# mocov3_convnext_s.py (8 GPUs x 64):
#   tools/dist_train.sh configs/pretrain/byol_convnext_s.py 8
_base_ = './mocov3_convnext_s.py'
model = dict(
    _delete_=True,
    type='mmpretrain.BYOL',
    base_momentum=0.01,
    data_preprocessor=_base_.model.data_preprocessor,
    backbone=_base_.model.backbone,
    neck=dict(
        _base_.model.neck,
        neck=dict(_base_.model.neck.neck, with_bias=True, with_last_bn=False)),
    head=dict(
        type='mmpretrain.LatentPredictHead',
        predictor=dict(_base_.model.head.predictor, with_bias=True),
        loss=dict(type='mmpretrain.CosineSimilarityLoss')))
