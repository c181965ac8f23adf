# The demo of ../../ablations/brainformer_convnext_s_lambda-con0.7-bfg0.3.py.
_base_ = '../brainformer_convnext_demo.py'
model = dict(
    head=dict(
        contrastive_loss=dict(loss_weight=0.7),
        guidance_loss=dict(loss_weight=0.3)))
