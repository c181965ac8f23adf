# The demo of ../../ablations/brainformer_convnext_s_1-subject.py (the demo
# pretrains on 2 subjects, so 3 and 5 have no demo form).
_base_ = [
    '../../ablations/brainformer_convnext_s_1-subject.py',
    '../../../_base_/demo/nsd.py'
]
_base_.merge(_base_.demo.nsd)
_base_.merge(_base_.pop('demo').brainformer)
subjects = [1]
train_dataloader = dict(dataset=dict(subjects=subjects))
val_dataloader = dict(dataset=dict(subjects=subjects))
test_dataloader = val_dataloader
