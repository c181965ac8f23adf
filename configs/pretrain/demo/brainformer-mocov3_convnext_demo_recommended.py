# The recommended head under MoCo v3: brainformer-mocov3_convnext_demo.py
# with p̄^k pooled by ROI attention and guidance negatives from the batch,
# as brainformer_convnext_demo.py has them; the candidate the paper's head
# beat on the validation probes (tools/analysis_tools/select_on_validation.py).
_base_ = './brainformer-mocov3_convnext_demo.py'
model = dict(
    head=dict(
        roi_pooling='attention',
        guidance_loss=dict(negatives='batch')))
