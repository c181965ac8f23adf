# Table 3: loss weights λ_con = 0.7, λ_bfg = 0.3 (main config: 0.5, 0.5).
_base_ = '../brainformer_convnext_s.py'
model = dict(
    head=dict(
        contrastive_loss=dict(loss_weight=0.7),
        guidance_loss=dict(loss_weight=0.3)))
