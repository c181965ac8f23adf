# The demo of ../brainformer_convnext_s.py.
_base_ = ['../brainformer_convnext_s.py', '../../_base_/demo/nsd.py']
_base_.merge(_base_.demo.nsd)
_base_.merge(_base_.pop('demo').brainformer)
