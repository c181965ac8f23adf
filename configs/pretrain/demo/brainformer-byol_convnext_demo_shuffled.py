# The control of brainformer-byol_convnext_demo.py: the training images'
# responses permuted within each subject, as in
# ../brainformer-byol_convnext_s_shuffled.py.
_base_ = './brainformer-byol_convnext_demo.py'
train_dataloader = dict(dataset=dict(shuffle_responses=0))
