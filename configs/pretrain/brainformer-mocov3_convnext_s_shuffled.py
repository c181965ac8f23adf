# The control of brainformer-mocov3_convnext_s.py: the training images'
# responses permuted within each subject (the brain-image pairing broken),
# MoCo v3's loss unchanged.
_base_ = './brainformer-mocov3_convnext_s.py'
train_dataloader = dict(dataset=dict(shuffle_responses=0))
