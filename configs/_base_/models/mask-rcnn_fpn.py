# mmdet's Mask R-CNN + FPN for the four-stage S-size backbones (channels
# 96 to 768) of mmpretrain and mmbrain, whose modules it imports. The
# mask-rcnn_<backbone>_fpn_amp.py bases add the backbone and its optimiser.
_base_ = 'mmdet::_base_/models/mask-rcnn_r50_fpn.py'
custom_imports = dict(
    imports=['mmpretrain.models', 'mmbrain'], allow_failed_imports=False)
model = dict(neck=dict(in_channels=[96, 192, 384, 768]))
