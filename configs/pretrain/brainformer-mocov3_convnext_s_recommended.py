# The recommended head under MoCo v3: brainformer-mocov3_convnext_s.py with
# p̄^k pooled by ROI attention and guidance negatives from the batch, as in
# brainformer_convnext_s.py; a candidate of the validation probes
# (projects/transfer_study/tools/select_on_validation.py).
_base_ = './brainformer-mocov3_convnext_s.py'
model = dict(
    head=dict(
        roi_pooling='attention',
        guidance_loss=dict(negatives='batch')))
