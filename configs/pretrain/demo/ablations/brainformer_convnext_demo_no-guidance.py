# The demo of ../../ablations/brainformer_convnext_s_no-guidance.py.
_base_ = '../brainformer_convnext_demo.py'
model = dict(head=dict(guidance_loss=None))
