# Mask R-CNN whose backbone is mmbrain's TimmFeatureBackbone (a 1-block-per-
# stage Swin, channels-last inside timm), loaded through custom_imports.
_base_ = 'mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py'
custom_imports = dict(imports=['mmbrain'], allow_failed_imports=False)

channels = [32, 64, 128, 256]
model = dict(
    backbone=dict(
        _delete_=True,
        type='mmbrain.TimmFeatureBackbone',
        model_name='swin_tiny_patch4_window7_224',
        embed_dim=32,
        depths=(1, 1, 1, 1),
        num_heads=(1, 2, 4, 8)),
    neck=dict(in_channels=channels, out_channels=64),
    rpn_head=dict(in_channels=64, feat_channels=64),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=64),
        bbox_head=dict(in_channels=64, fc_out_channels=128),
        mask_roi_extractor=dict(out_channels=64),
        mask_head=dict(in_channels=64, conv_out_channels=64)))
