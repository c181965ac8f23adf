# The demo of ../../ablations/brainformer_convnext_s_window128-stride32.py:
# 128 by 32 at a quarter of the paper's sizes.
_base_ = '../brainformer_convnext_demo.py'
model = dict(brain_encoder=dict(window_size=32, window_stride=8))
