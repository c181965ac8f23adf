# The demo of ../../ablations/brainformer_convnext_s_window128-stride64.py:
# a quarter of its window and stride, as the demo's are of the paper's.
_base_ = [
    '../../ablations/brainformer_convnext_s_window128-stride64.py',
    '../../../_base_/demo/nsd.py'
]
_base_.merge(_base_.demo.nsd)
_base_.merge(_base_.pop('demo').brainformer)
model = dict(brain_encoder=dict(window_size=32, window_stride=16))
