# UperNet, ConvNeXt-S from random initialisation, ADE20K 512x512, 160k
# iterations with AMP and stage-wise lr decay: mmseg's ConvNeXt-S config
# without its ImageNet checkpoint. The _brain and _in1k forms change only the
# backbone's weights.
#   tools/dist_train.sh configs/upernet/<this file> 8
_base_ = 'mmseg::convnext/convnext-small_upernet_8xb2-amp-160k_ade20k-512x512.py'
custom_imports = dict(
    imports=['mmpretrain.models', 'mmbrain'], allow_failed_imports=False)
model = dict(
    backbone=dict(
        _delete_=True,  # the same backbone, without its checkpoint
        type='mmpretrain.ConvNeXt',
        arch='small',
        out_indices=[0, 1, 2, 3],
        drop_path_rate=0.3,
        layer_scale_init_value=1.0,
        gap_before_final_norm=False))
