# A candidate image-only arm, measured against mocov3_convnext_demo.py on
# the validation probes (tools/analysis_tools/select_on_validation.py):
# BYOL, mmpretrain's algorithm, neck, head and loss (its byol_resnet50
# config) at the demo's sizes, with BYOL's views, which
# mocov3_convnext_demo.py has too. The rest is mocov3_convnext_demo.py's.
_base_ = './mocov3_convnext_demo.py'
model = dict(
    _delete_=True,
    type='mmpretrain.BYOL',
    base_momentum=0.01,
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
            with_bias=True,
            with_last_bn=False,
            with_avg_pool=True,
            norm_cfg=dict(type='BN1d'))),
    head=dict(
        type='mmpretrain.LatentPredictHead',
        predictor=dict(
            type='mmpretrain.NonLinearNeck',
            in_channels=128,
            hid_channels=512,
            out_channels=128,
            num_layers=2,
            with_bias=True,
            with_last_bn=False,
            with_avg_pool=False,
            norm_cfg=dict(type='BN1d')),
        loss=dict(type='mmpretrain.CosineSimilarityLoss')))
