# The control: brainformer_swin_s.py with each training image paired with
# the responses to another image of the same subject (a fixed permutation),
# so the brain-image pairing is broken and all else (images, response
# statistics, schedule) is kept. An effect of the brain signal counts only
# against this arm.
_base_ = './brainformer_swin_s.py'
train_dataloader = dict(dataset=dict(shuffle_responses=0))
