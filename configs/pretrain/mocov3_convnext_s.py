# The image-only self-supervised arm: mmpretrain's MoCo v3 on the NSD images
# of brainformer-mocov3_convnext_s.py, with its algorithm, neck, head, loss
# and views, and everything else brainformer_convnext_s.py's: the images
# (subjects 1-7's training trials, so the same iterations), batch,
# schedule (AdamW, not MoCo v3's LARS, so that only the supervision
# differs), and the backbone with all four stages kept for mmdet/mmseg. No
# fMRI is read, and nothing is validated (MoCo v3 has no prediction).
# 8 GPUs x 64:
#   tools/dist_train.sh configs/pretrain/mocov3_convnext_s.py 8
_base_ = './brainformer-mocov3_convnext_s.py'
train_dataloader = dict(dataset=dict(pipeline={{_base_.byol_pipeline}}))
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
