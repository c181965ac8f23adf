# The demo of ../ridge_convnext_s_brain.py, with the backbone that make demo
# pretrained and exported.
_base_ = ['../ridge_convnext_s_brain.py', '../../_base_/demo/nsd.py']
_base_.merge(_base_.pop('demo').encoding)
checkpoint = 'work_dirs/demo/seed0/recommended/backbone.pth'
model = dict(backbone=dict(init_cfg=dict(checkpoint=checkpoint)))
