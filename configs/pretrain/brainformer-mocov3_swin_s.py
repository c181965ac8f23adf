# brainformer-mocov3_convnext_s.py with Swin-S, as brainformer_swin_s.py has it:
#   tools/dist_train.sh configs/pretrain/brainformer-mocov3_swin_s.py 8
_base_ = './brainformer-mocov3_convnext_s.py'
model = dict(
    backbone=dict(
        _delete_=True,
        type='mmpretrain.SwinTransformer',
        arch='small',
        img_size=224,
        out_indices=(0, 1, 2, 3)))
