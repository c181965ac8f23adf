# The ssl+brain arm: Brainformer pretraining of ConvNeXt-S with the paper's
# head (brainformer_convnext_s_paper.py) and MoCo v3's image-only loss added
# to the brain losses, its weight self_supervised_weight beside theirs (the
# head's loss_weight), on 8 GPUs x 64:
#   tools/dist_train.sh configs/pretrain/brainformer-mocov3_convnext_s.py 8
# Two BYOL views of each image (../_base_/datasets/nsd_views.py) feed MoCo
# v3's loss; the image as the subject saw it (no augmentation: the fMRI
# belongs to it) feeds the brain losses. mmpretrain's MoCo v3 algorithm,
# neck, head and loss with its mocov3_resnet50 settings (a 4096-wide
# projector and predictor, 256-d projections, temperature 1, momentum from
# 0.99 to 1), on the last stage.
_base_ = [
    './brainformer_convnext_s_paper.py', '../_base_/datasets/nsd_views.py'
]
train_dataloader = dict(dataset=dict(pipeline={{_base_.byol_brain_pipeline}}))

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
