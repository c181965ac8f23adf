# NSD images with the fMRI they evoked: subjects 1-7 (8 is held out for the
# brain response prediction task), the six ROI groups, 224x224, no
# augmentation (the fMRI belongs to the exact image). Prepare the cache
# first: tools/dataset_converters/prepare_nsd.py data/nsd --subjects 1 ... 7
dataset_type = 'NSDBrainDataset'
data_root = 'data/nsd'
subjects = [1, 2, 3, 4, 5, 6, 7]
# the ROI groups, in the order the model sees them; the model's count comes
# from this list in the config that adds the model (num_rois=len(rois), or
# one width per group), and the first batch checks it. A config that
# changes it sets every dataloader's rois and the model's count.
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
    persistent_workers=True,
    drop_last=True,  # equal batches on every rank for the gathered loss
    sampler=dict(type='DefaultSampler', shuffle=True),
    pin_memory=True,  # the batch's tensors copied without blocking
    # images stacked and responses padded in the workers, coordinates once
    # per subject (scoped: mmengine's runner looks collate_fn up in the root
    # registry)
    collate_fn=dict(type='mmbrain.brain_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        subjects=subjects,
        rois=rois,
        split='train',
        pipeline=pipeline))
val_dataloader = dict(
    batch_size=64,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    pin_memory=True,
    collate_fn=dict(type='mmbrain.brain_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        subjects=subjects,
        rois=rois,
        split='test',  # the shared1000 images
        pipeline=pipeline))
val_evaluator = dict(type='BrainRetrievalMetric', topk=(1, 5))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
