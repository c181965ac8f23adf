# The demo of ../neurofusion_convnext_s.py.
_base_ = ['../neurofusion_convnext_s.py', '../../_base_/demo/nsd.py']
_base_.merge(_base_.demo.nsd)
_base_.merge(_base_.pop('demo').brainformer)
model = dict(head=dict(fusion=dict(num_heads=4)))
