# The demo's UperNet with the backbone that the demo pretraining exports
# (make demo writes it to work_dirs/demo/backbone.pth).
_base_ = './upernet_convnext-demo_ade20k-demo_random.py'
checkpoint = 'work_dirs/demo/backbone.pth'
model = dict(
    backbone=dict(
        init_cfg=dict(
            type='Pretrained', checkpoint=checkpoint, prefix='backbone.')))
