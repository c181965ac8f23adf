# The demo's Mask R-CNN with the backbone that the demo pretraining exports
# (the recommended recipe; make demo writes it to
# work_dirs/demo/seed0/recommended/backbone.pth).
_base_ = './mask-rcnn_convnext-demo_fpn_coco-demo_random.py'
checkpoint = 'work_dirs/demo/seed0/recommended/backbone.pth'
model = dict(
    backbone=dict(
        init_cfg=dict(
            type='Pretrained', checkpoint=checkpoint, prefix='backbone.')))
