# The control of brainformer-mocov3_convnext_demo.py: the training images'
# responses permuted within each subject, as in
# ../brainformer-mocov3_convnext_s_shuffled.py.
_base_ = './brainformer-mocov3_convnext_demo.py'
train_dataloader = dict(dataset=dict(shuffle_responses=0))
