# The paper's head on top of MoCo v3: brainformer-mocov3_convnext_demo.py with
# global pooling for p̄^k and the guidance negatives of Eq. 6 (the sample's
# other ROIs), as brainformer_convnext_demo_paper.py is to the recommended
# recipe; the candidate measured against it on the validation probes
# (tools/analysis_tools/select_on_validation.py).
_base_ = './brainformer-mocov3_convnext_demo.py'
model = dict(
    head=dict(
        roi_pooling='global',
        guidance_loss=dict(negatives='rois')))
