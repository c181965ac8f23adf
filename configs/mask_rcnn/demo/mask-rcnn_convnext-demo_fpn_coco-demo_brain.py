# The demo of ../mask-rcnn_convnext-s_fpn_amp-1x_coco-nonsd_brain.py, with
# the backbone that make demo pretrains (the recommended recipe).
_base_ = [
    '../mask-rcnn_convnext-s_fpn_amp-1x_coco-nonsd_brain.py',
    '../../_base_/demo/coco_mask-rcnn.py'
]
_base_.merge(_base_.pop('demo'))
checkpoint = 'work_dirs/demo/seed0/recommended/backbone.pth'
model = dict(backbone=dict(init_cfg=dict(checkpoint=checkpoint)))
