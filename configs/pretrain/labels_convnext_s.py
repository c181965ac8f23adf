# The labels positive control: ConvNeXt-S pretrained on the NSD images of
# subjects 1-7 with their COCO categories (8 GPUs x 64):
#   tools/dist_train.sh configs/pretrain/labels_convnext_s.py 8
# The images, batches and schedule of voxel-encoding_convnext_s.py (so of
# brainformer_convnext_s.py), its readout with one logit per category for
# every subject, a multi-label binary cross-entropy. Each image's labels are
# the categories of its COCO annotations (crowd ones included, as COCO's
# multi-label benchmarks count them), found by the stimulus table's cocoId:
# NSD draws its images from both COCO splits, so LoadCocoLabels reads the
# full instances files of both (not the _nonsd ones the downstream tasks
# train on). What category supervision of these images teaches, the brain
# arms are measured against; unlike the demo's oracle, it exists on real NSD.
_base_ = './voxel-encoding_convnext_s.py'
coco_annotations = 'data/coco/annotations'
stim_info = _base_.data_root + '/nsddata/experiments/nsd/' \
    'nsd_stim_info_merged.csv'
num_classes = 80  # the categories of COCO's instances files
pipeline = [
    dict(type='LoadNSDImage'),
    dict(
        type='LoadCocoLabels',
        ann_files=[
            f'{coco_annotations}/instances_{split}.json'
            for split in ('train2017', 'val2017')
        ],
        stim_info=stim_info),
    dict(type='Resize', scale=(_base_.img_size, _base_.img_size)),
    dict(type='PackBrainInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=pipeline))
val_dataloader = dict(dataset=dict(pipeline=pipeline))
test_dataloader = val_dataloader
model = dict(
    target='labels',
    head=dict(
        num_outputs=[num_classes],
        subjects=None,
        loss=dict(type='MultiLabelBCELoss')))
# mAP over the categories of the held-out (shared1000) images
val_evaluator = dict(_delete_=True, type='mmpretrain.AveragePrecision')
test_evaluator = val_evaluator
