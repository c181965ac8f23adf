# A linear segmentation probe of a frozen ConvNeXt-S on ADE20K (DINOv2's
# linear evaluation): the four stages resized to a stride-8 grid and
# concatenated, a linear classifier per cell fitted on 32 labelled cells of
# each training image (weight decay chosen on a fifth of them), its logits
# upsampled to the 512 x 512 label map; mIoU on the validation images,
# clean and under COCO-C's 15 corruptions at severities 1-5:
#   python tools/analysis_tools/probe_segmentation.py \
#       configs/probes/ade20k-linear_convnext_s.py --checkpoint backbone.pth
default_scope = 'mmbrain'
custom_imports = dict(
    imports=['mmseg.datasets', 'mmseg.models'], allow_failed_imports=False)
model = dict(
    backbone=dict(
        type='mmpretrain.ConvNeXt',
        arch='small',
        out_indices=(0, 1, 2, 3),
        layer_scale_init_value=1.0,  # as in pretraining and downstream
        gap_before_final_norm=False))
data_preprocessor = dict(
    type='mmseg.SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255)
img_size = 512
# images and label maps resized to img_size x img_size; mIoU at that size
pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmseg.LoadAnnotations', reduce_zero_label=True),
    dict(type='Resize', scale=(img_size, img_size), keep_ratio=False),
    dict(type='mmseg.PackSegInputs'),
]
data_root = 'data/ade/ADEChallengeData2016'
__loader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'))
__dataset = dict(
    type='mmseg.ADE20KDataset', data_root=data_root, pipeline=pipeline)
train_dataloader = dict(
    __loader,
    dataset=dict(
        __dataset,
        data_prefix=dict(
            img_path='images/training', seg_map_path='annotations/training')))
test_dataloader = dict(
    __loader,
    dataset=dict(
        __dataset,
        data_prefix=dict(
            img_path='images/validation',
            seg_map_path='annotations/validation')))
probe = dict(
    stages=(0, 1, 2, 3),
    stride=8,
    cells_per_image=32,
    weight_decays=[1e-5, 1e-4, 1e-3, 1e-2],
    val_fraction=0.2)
corruption = dict(corruptions='benchmark', severities=(1, 2, 3, 4, 5))
# seeds a randomly initialised backbone, the cells and the validation split
randomness = dict(seed=0)
