# Brain response prediction on the held-out subject 8 (not used in
# pretraining): the readout is fitted on its own images and tested on the
# shared1000 images. Prepare the cache first:
#   tools/dataset_converters/prepare_nsd.py data/nsd --subjects 8
dataset_type = 'NSDBrainDataset'
data_root = 'data/nsd'
subjects = [8]
rois = [
    'prf-visualrois', 'floc-bodies', 'floc-faces', 'floc-places',
    'floc-words', 'streams'
]
img_size = 224
pipeline = [
    dict(type='LoadNSDImage'),
    dict(type='LoadBrainResponses'),
    dict(type='Resize', scale=(img_size, img_size)),
    dict(type='PackBrainInputs'),
]
train_dataloader = dict(
    batch_size=64,
    num_workers=8,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        subjects=subjects,
        rois=rois,
        split='train',
        pipeline=pipeline))
test_dataloader = dict(
    batch_size=64,
    num_workers=8,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        subjects=subjects,
        rois=rois,
        split='test',
        pipeline=pipeline))
test_evaluator = dict(type='BrainEncodingMetric')
