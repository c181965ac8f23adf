# Brainformer pretraining of Swin-S on NSD subjects 1-7 (8 GPUs x 64):
#   tools/dist_train.sh configs/pretrain/brainformer_swin_s.py 8
# As for ConvNeXt-S, all four stages keep their norms for the downstream
# models, and those of stages 0-2 are unused here.
_base_ = [
    '../_base_/models/brainformer.py', '../_base_/datasets/nsd_pretrain.py',
    '../_base_/schedules/adamw_cosine_100e.py', '../_base_/default_runtime.py'
]
model = dict(
    backbone=dict(
        type='mmpretrain.SwinTransformer',
        arch='small',
        img_size=224,
        out_indices=(0, 1, 2, 3)),
    brain_encoder=dict(num_rois=len(_base_.rois)),
    head=dict(in_channels=768))
find_unused_parameters = True
# every image is 224 px: cuDNN picks its fastest kernels once
env_cfg = dict(cudnn_benchmark=True)
