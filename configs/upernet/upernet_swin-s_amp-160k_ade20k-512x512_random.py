# UperNet, Swin-S from random initialisation, ADE20K 512x512, 160k
# iterations with AMP. The backbone is mmpretrain's SwinTransformer, the class
# the pretraining configs use, so the exported backbone's keys match.
#   tools/dist_train.sh configs/upernet/<this file> 8
_base_ = ('mmseg::swin/'
          'swin-small-patch4-window7-in1k-pre_upernet_8xb2-160k_ade20k-'
          '512x512.py')
custom_imports = dict(
    imports=['mmpretrain.models', 'mmbrain'], allow_failed_imports=False)
model = dict(
    pretrained=None,
    backbone=dict(
        _delete_=True,
        type='mmpretrain.SwinTransformer',
        arch='small',
        img_size=512,
        drop_path_rate=0.3,
        out_indices=(0, 1, 2, 3)))
optim_wrapper = dict(type='AmpOptimWrapper', loss_scale='dynamic')
