# The demo of ../brainformer-mocov3_convnext_s_shuffled.py.
_base_ = [
    '../brainformer-mocov3_convnext_s_shuffled.py',
    '../../_base_/demo/nsd.py'
]
_base_.merge(_base_.demo.nsd)
_base_.merge(_base_.pop('demo').brainformer_mocov3)
