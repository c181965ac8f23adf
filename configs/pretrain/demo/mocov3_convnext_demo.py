# The demo of ../mocov3_convnext_s.py.
_base_ = ['../mocov3_convnext_s.py', '../../_base_/demo/nsd.py']
_base_.merge(_base_.demo.nsd)
_base_.merge(_base_.pop('demo').mocov3)
