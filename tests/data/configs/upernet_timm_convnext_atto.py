# UperNet whose backbone is mmbrain's TimmFeatureBackbone (timm ConvNeXt-atto),
# loaded through custom_imports.
_base_ = 'mmseg::_base_/models/upernet_r50.py'
custom_imports = dict(imports=['mmbrain'], allow_failed_imports=False)

norm_cfg = dict(type='BN', requires_grad=True)
channels = [40, 80, 160, 320]
model = dict(
    pretrained=None,  # the base's ResNet download
    data_preprocessor=dict(size=(64, 64)),
    backbone=dict(
        _delete_=True,
        type='mmbrain.TimmFeatureBackbone',
        model_name='convnext_atto'),
    decode_head=dict(
        in_channels=channels, channels=64, num_classes=5, norm_cfg=norm_cfg),
    auxiliary_head=dict(
        in_channels=channels[2], channels=32, num_classes=5,
        norm_cfg=norm_cfg))
