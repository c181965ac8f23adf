# A new backbone by inheritance: Brainformer pretraining of timm's ResNet-50
# (any timm model works through mmbrain.TimmFeatureBackbone, NCHW features).
_base_ = './brainformer_convnext_s.py'
model = dict(
    backbone=dict(
        _delete_=True,
        type='mmbrain.TimmFeatureBackbone',
        model_name='resnet50',
        out_indices=(1, 2, 3, 4)),  # strides 4-32
    head=dict(in_channels=2048))
