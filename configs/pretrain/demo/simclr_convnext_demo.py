# The demo of ../simclr_convnext_s.py.
_base_ = ['../simclr_convnext_s.py', '../../_base_/demo/nsd.py']
_base_.merge(_base_.demo.nsd)
_base_.merge(_base_.pop('demo').simclr)
