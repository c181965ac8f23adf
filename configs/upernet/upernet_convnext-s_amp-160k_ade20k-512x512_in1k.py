# The _random config with an ImageNet-1k mmpretrain checkpoint of the same
# backbone class, for the paper's comparison. Nothing is downloaded: put the
# file at this path (or pass --cfg-options
# model.backbone.init_cfg.checkpoint=...).
_base_ = './upernet_convnext-s_amp-160k_ade20k-512x512_random.py'
checkpoint = 'checkpoints/convnext-small_in1k.pth'
model = dict(
    backbone=dict(
        init_cfg=dict(
            type='Pretrained', checkpoint=checkpoint, prefix='backbone.')))
