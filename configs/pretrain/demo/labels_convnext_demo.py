# The demo of ../labels_convnext_s.py: the demo NSD's images with the
# categories of the demo's COCO files (coco/annotations/ of the demo NSD,
# 4 categories), on the images, batches and schedule of
# brainformer_convnext_demo.py. The demo base has no section for it: the
# voxel-encoding section gives the head's width, and the pipeline and the
# head's outputs are set here.
_base_ = ['../labels_convnext_s.py', '../../_base_/demo/nsd.py']
_base_.merge(_base_.demo.nsd)
_base_.merge(_base_.pop('demo').voxel_encoding)
coco_annotations = _base_.data_root + '/coco/annotations'
stim_info = _base_.data_root + '/nsddata/experiments/nsd/' \
    'nsd_stim_info_merged.csv'
num_classes = 4  # the demo's categories: person, car, stop sign, clock
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
model = dict(head=dict(num_outputs=[num_classes], subjects=None))
