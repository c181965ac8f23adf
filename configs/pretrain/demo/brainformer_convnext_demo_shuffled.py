# The demo's control: brainformer_convnext_demo.py with the training
# images' responses permuted within each subject (the brain-image pairing
# broken), as in ../brainformer_convnext_s_shuffled.py.
_base_ = './brainformer_convnext_demo.py'
train_dataloader = dict(dataset=dict(shuffle_responses=0))
