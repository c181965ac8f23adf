# Table 3: pretraining on subjects 1-5 (the main config: 1-7).
_base_ = '../brainformer_convnext_s.py'
subjects = [1, 2, 3, 4, 5]
train_dataloader = dict(dataset=dict(subjects=subjects))
val_dataloader = dict(dataset=dict(subjects=subjects))
test_dataloader = val_dataloader
