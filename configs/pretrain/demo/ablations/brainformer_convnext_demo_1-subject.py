# The demo of ../../ablations/brainformer_convnext_s_1-subject.py. The demo
# pretrains on 2 subjects, so 3 and 5 have no demo form.
_base_ = '../brainformer_convnext_demo.py'
subjects = [1]
train_dataloader = dict(dataset=dict(subjects=subjects))
val_dataloader = dict(dataset=dict(subjects=subjects))
test_dataloader = val_dataloader
