# The _random config with the brain-pretrained backbone exported by
# configs/pretrain/brainformer_convnext_s.py.
_base_ = './upernet_convnext-s_amp-160k_ade20k-512x512_random.py'
checkpoint = 'work_dirs/brainformer_convnext_s/backbone.pth'
model = dict(
    backbone=dict(
        init_cfg=dict(
            type='Pretrained', checkpoint=checkpoint, prefix='backbone.')))
