# Brain response prediction of subject 8 from a randomly initialised
# ConvNeXt-S, the baseline of ridge_convnext_s_brain.py:
#   python tools/analysis_tools/fit_encoding.py \
#       configs/encoding/ridge_convnext_s_random.py
_base_ = [
    '../_base_/models/ridge_readout.py', '../_base_/datasets/nsd_encoding.py'
]
model = dict(
    backbone=dict(
        type='mmpretrain.ConvNeXt',
        arch='small',
        out_indices=(0, 1, 2, 3),
        layer_scale_init_value=1.0,  # as in pretraining and downstream
        gap_before_final_norm=False))
