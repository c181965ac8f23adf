# NeuroFusionNet's fusion block on the main recipe: the image tokens
# [p, p̄^1..p̄^6] and the brain tokens [q, q̄^1..q̄^6] go through one
# transformer block together before the losses (CrossModalFusion).
# Attention stays within each modality (the block's weights are shared):
# with cross_modal=True, as NeuroFusionNet describes it, each image's tokens
# see its own brain tokens and both losses can be lowered by copying within
# the pair instead of aligning the backbone.
_base_ = './brainformer_convnext_s.py'
model = dict(
    head=dict(
        fusion=dict(type='CrossModalFusion', num_heads=8,
                    cross_modal=False)))
