# The demo of ../mindeye_convnext_s.py.
_base_ = ['../mindeye_convnext_s.py', '../../_base_/demo/nsd.py']
_base_.merge(_base_.demo.nsd)
_base_.merge(_base_.pop('demo').mindeye)
