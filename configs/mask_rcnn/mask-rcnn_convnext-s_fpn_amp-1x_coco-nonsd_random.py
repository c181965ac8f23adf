# Mask R-CNN + FPN, ConvNeXt-S from random initialisation, 1x schedule with
# AMP and layer-wise lr decay (mmdet's ConvNeXt conventions), COCO without
# NSD images. The _brain and _in1k forms change only the backbone's weights.
#   tools/dist_train.sh configs/mask_rcnn/<this file> 8
_base_ = [
    '../_base_/models/mask-rcnn_convnext-s_fpn_amp.py',
    '../_base_/datasets/coco_instance_nonsd.py',
    '../_base_/schedules/mask-rcnn_1x.py', 'mmdet::_base_/default_runtime.py'
]
