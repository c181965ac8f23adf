# Brain response prediction on the held-out subject 8 (not used in
# pretraining): the pretraining's data and ROI groups for subject 8 alone,
# read in order; the readout is fitted on its own images and tested on the
# shared1000 images. Prepare the cache first:
#   tools/dataset_converters/prepare_nsd.py data/nsd --subjects 8
_base_ = './nsd_pretrain.py'
subjects = [8]
train_dataloader = dict(
    persistent_workers=False,
    drop_last=False,
    sampler=dict(shuffle=False),
    dataset=dict(subjects=subjects))
test_dataloader = dict(
    persistent_workers=False, dataset=dict(subjects=subjects))
val_dataloader = None
val_evaluator = None
# areas=True adds the median r of each labelled area of each ROI
# (median_r/floc-faces/FFA-1, ...; --cfg-options test_evaluator.areas=True)
test_evaluator = dict(_delete_=True, type='BrainEncodingMetric', areas=False)
