# The paper's recipe (Eq. 5 + Eq. 6 as written): every p̄^k a linear map of
# the globally pooled feature, and the guidance loss's negatives the
# sample's other ROIs. brainformer_convnext_s.py differs only in these keys.
_base_ = './brainformer_convnext_s.py'
model = dict(
    head=dict(
        roi_pooling='global',
        guidance_loss=dict(negatives='rois')))
