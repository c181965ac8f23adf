# The demo of ../../ablations/brainformer_convnext_s_pos-embed.py.
_base_ = '../brainformer_convnext_demo.py'
model = dict(brain_encoder=dict(embed_type='pos'))
