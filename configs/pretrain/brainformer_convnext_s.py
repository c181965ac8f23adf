# Brainformer pretraining of ConvNeXt-S on NSD subjects 1-7 (8 GPUs x 64):
#   tools/dist_train.sh configs/pretrain/brainformer_convnext_s.py 8
# The backbone keeps all four stages and their norms (out_indices 0-3, no
# pooling inside), as mmdet/mmseg use it, so the exported backbone loads
# downstream without missing keys. Only the last stage is pooled here, so the
# norms of stages 0-2 take no part in pretraining: DDP must be told.
_base_ = [
    '../_base_/models/brainformer.py', '../_base_/datasets/nsd_pretrain.py',
    '../_base_/schedules/adamw_cosine_100e.py', '../_base_/default_runtime.py'
]
model = dict(
    backbone=dict(
        type='mmpretrain.ConvNeXt',
        arch='small',
        out_indices=(0, 1, 2, 3),
        # the downstream configs' value, so that brain-pretrained and
        # random-init arms are one network
        layer_scale_init_value=1.0,
        gap_before_final_norm=False),
    brain_encoder=dict(num_rois=len(_base_.rois)),
    head=dict(in_channels=768))
find_unused_parameters = True
# every image is 224 px: cuDNN picks its fastest kernels once
env_cfg = dict(cudnn_benchmark=True)
