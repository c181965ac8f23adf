# Brain response prediction of subject 8 from a randomly initialised Swin-S,
# the baseline of ridge_swin_s_brain.py:
#   python tools/analysis_tools/fit_encoding.py \
#       configs/encoding/ridge_swin_s_random.py
_base_ = [
    '../_base_/models/ridge_readout.py', '../_base_/datasets/nsd_encoding.py'
]
model = dict(
    backbone=dict(
        type='mmpretrain.SwinTransformer',
        arch='small',
        img_size=224,
        out_indices=(0, 1, 2, 3)))
