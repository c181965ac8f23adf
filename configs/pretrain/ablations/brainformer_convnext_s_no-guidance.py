# Table 3 "without guidance loss": the contrastive loss alone.
_base_ = '../brainformer_convnext_s.py'
model = dict(head=dict(guidance_loss=None))
