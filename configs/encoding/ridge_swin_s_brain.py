# Brain response prediction of subject 8 from the brain-pretrained
# Swin-S (the backbone exported by configs/pretrain/brainformer_swin_s.py):
#   python tools/analysis_tools/fit_encoding.py \
#       configs/encoding/ridge_swin_s_brain.py
_base_ = './ridge_swin_s_random.py'
checkpoint = 'work_dirs/brainformer_swin_s/backbone.pth'
model = dict(
    backbone=dict(
        init_cfg=dict(
            type='Pretrained', checkpoint=checkpoint, prefix='backbone.')))
