# Table 3: windows of 128 tokens sliding by 32 (main config: 64 by 32).
_base_ = '../brainformer_convnext_s.py'
model = dict(brain_encoder=dict(window_size=128, window_stride=32))
