# The demo of ../mask-rcnn_convnext-s_fpn_amp-1x_coco-nonsd_random.py.
_base_ = [
    '../mask-rcnn_convnext-s_fpn_amp-1x_coco-nonsd_random.py',
    '../../_base_/demo/coco_mask-rcnn.py'
]
_base_.merge(_base_.pop('demo'))
