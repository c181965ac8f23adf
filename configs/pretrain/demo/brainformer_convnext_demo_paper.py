# The demo of the paper's recipe: brainformer_convnext_demo.py with global
# pooling for p̄^k and the guidance negatives of Eq. 6 (the sample's other
# ROIs), as in ../brainformer_convnext_s_paper.py.
_base_ = './brainformer_convnext_demo.py'
model = dict(
    head=dict(
        roi_pooling='global',
        guidance_loss=dict(negatives='rois')))
