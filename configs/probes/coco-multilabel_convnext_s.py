# Multi-label probes of a frozen ConvNeXt-S on COCO without the NSD images:
# a linear classifier (its weight decay chosen on a fifth of the training
# images) and a weighted kNN over the last stage's pooled features, scored
# as mAP over the 80 categories on val2017 without NSD images:
#   python tools/analysis_tools/probe_multilabel.py \
#       configs/probes/coco-multilabel_convnext_s.py --checkpoint backbone.pth
# Write the annotation files first: tools/dataset_converters/coco_exclude_nsd.py
default_scope = 'mmbrain'
model = dict(
    type='PooledFeatures',
    stages=(-1, ),
    pool_size=1,
    backbone=dict(
        type='mmpretrain.ConvNeXt',
        arch='small',
        out_indices=(0, 1, 2, 3),
        layer_scale_init_value=1.0,  # as in pretraining and downstream
        gap_before_final_norm=False))
data_preprocessor = dict(
    type='mmpretrain.ClsDataPreprocessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)
img_size = 224
pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(img_size, img_size)),
    dict(type='mmpretrain.PackInputs'),
]
data_root = 'data/coco/'
__loader = dict(
    batch_size=64,
    num_workers=4,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'))
__dataset = dict(
    type='CocoMultiLabelDataset', data_root=data_root, pipeline=pipeline)
train_dataloader = dict(
    __loader,
    dataset=dict(
        __dataset,
        ann_file='annotations/instances_train2017_nonsd.json',
        data_prefix=dict(img_path='train2017/')))
test_dataloader = dict(
    __loader,
    dataset=dict(
        __dataset,
        ann_file='annotations/instances_val2017_nonsd.json',
        data_prefix=dict(img_path='val2017/')))
probe = dict(
    weight_decays=[1e-5, 1e-4, 1e-3, 1e-2],
    val_fraction=0.2,
    # DINO's kNN settings, fixed in advance
    knn=dict(k=20, temperature=0.07))
# seeds a randomly initialised backbone and the validation split
randomness = dict(seed=0)
# robustness, on the test images: COCO-C's 15 corruptions at severities 1-5
# (mPC and rPC), and L-infinity PGD at 1/255 and 4/255, 10 steps, against
# the backbone and the linear probe
corruption = dict(corruptions='benchmark', severities=(1, 2, 3, 4, 5))
attack = dict(eps=(1 / 255, 4 / 255), steps=10)
