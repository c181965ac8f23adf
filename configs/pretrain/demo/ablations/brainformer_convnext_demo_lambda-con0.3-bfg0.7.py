# The demo of ../../ablations/brainformer_convnext_s_lambda-con0.3-bfg0.7.py.
_base_ = [
    '../../ablations/brainformer_convnext_s_lambda-con0.3-bfg0.7.py',
    '../../../_base_/demo/nsd.py'
]
_base_.merge(_base_.demo.nsd)
_base_.merge(_base_.pop('demo').brainformer)
