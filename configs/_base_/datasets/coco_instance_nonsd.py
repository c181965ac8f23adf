# COCO 2017 instances without the NSD images (make the annotation files with
# tools/dataset_converters/coco_exclude_nsd.py): train on train2017 minus NSD;
# validate on the whole val2017 and test on val2017 minus NSD, so both
# figures come from one training (tools/test.py CONFIG CKPT evaluates the
# latter; add --cfg-options test_dataloader.dataset.ann_file=... for others).
_base_ = 'mmdet::_base_/datasets/coco_instance.py'
data_root = 'data/coco/'
train_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        ann_file='annotations/instances_train2017_nonsd.json'))
val_dataloader = dict(dataset=dict(data_root=data_root))
val_evaluator = dict(ann_file=data_root + 'annotations/instances_val2017.json')
test_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        ann_file='annotations/instances_val2017_nonsd.json'))
test_evaluator = dict(
    ann_file=data_root + 'annotations/instances_val2017_nonsd.json')
