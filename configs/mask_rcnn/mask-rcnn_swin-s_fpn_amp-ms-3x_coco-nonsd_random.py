# Mask R-CNN + FPN, Swin-S from random initialisation, on mmdet's 3x
# convention: 36 epochs with multi-scale training, COCO without NSD images.
#   tools/dist_train.sh configs/mask_rcnn/<this file> 8
_base_ = [
    '../_base_/models/mask-rcnn_swin-s_fpn_amp.py',
    '../_base_/schedules/mask-rcnn_ms-3x.py', 'mmdet::_base_/default_runtime.py'
]
