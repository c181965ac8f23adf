# The demo of ../../ablations/brainformer_convnext_s_window128-stride64.py:
# the demo's windows are a quarter of the paper's (16 by 8 for 64 by 32), so
# 128 by 64 becomes 32 by 16.
_base_ = '../brainformer_convnext_demo.py'
model = dict(brain_encoder=dict(window_size=32, window_stride=16))
