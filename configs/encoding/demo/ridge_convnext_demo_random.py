# The demo of ../ridge_convnext_s_random.py: the demo NSD's held-out subject
# 3 from the small ConvNeXt of the demo pretraining at its 96 px.
_base_ = ['../ridge_convnext_s_random.py', '../../_base_/demo/nsd.py']
_base_.merge(_base_.pop('demo').encoding)
