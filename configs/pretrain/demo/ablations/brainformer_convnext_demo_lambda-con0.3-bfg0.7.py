# The demo of ../../ablations/brainformer_convnext_s_lambda-con0.3-bfg0.7.py.
_base_ = '../brainformer_convnext_demo.py'
model = dict(
    head=dict(
        contrastive_loss=dict(loss_weight=0.3),
        guidance_loss=dict(loss_weight=0.7)))
