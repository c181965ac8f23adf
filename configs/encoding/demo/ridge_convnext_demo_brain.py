# The demo: ridge_convnext_demo_random.py with the backbone that make demo
# pretrained and exported.
_base_ = './ridge_convnext_demo_random.py'
checkpoint = 'work_dirs/demo/seed0/recommended/backbone.pth'
model = dict(
    backbone=dict(
        init_cfg=dict(
            type='Pretrained', checkpoint=checkpoint, prefix='backbone.')))
