# The demo of ../upernet_convnext-s_amp-160k_ade20k-512x512_brain.py, with
# the backbone that make demo pretrains (the recommended recipe).
_base_ = [
    '../upernet_convnext-s_amp-160k_ade20k-512x512_brain.py',
    '../../_base_/demo/ade20k_upernet.py'
]
_base_.merge(_base_.pop('demo'))
checkpoint = 'work_dirs/demo/seed0/recommended/backbone.pth'
model = dict(backbone=dict(init_cfg=dict(checkpoint=checkpoint)))
