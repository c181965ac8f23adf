# The demo of ../upernet_convnext-s_amp-160k_ade20k-512x512_random.py.
_base_ = [
    '../upernet_convnext-s_amp-160k_ade20k-512x512_random.py',
    '../../_base_/demo/ade20k_upernet.py'
]
_base_.merge(_base_.pop('demo'))
