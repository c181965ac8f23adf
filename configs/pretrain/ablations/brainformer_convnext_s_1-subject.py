# Table 3: pretraining on subject 1 only (the main config: 1-7).
_base_ = '../brainformer_convnext_s.py'
subjects = [1]
train_dataloader = dict(dataset=dict(subjects=subjects))
val_dataloader = dict(dataset=dict(subjects=subjects))
test_dataloader = val_dataloader
