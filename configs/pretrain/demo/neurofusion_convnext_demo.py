# The demo of ../neurofusion_convnext_s.py.
_base_ = './brainformer_convnext_demo.py'
model = dict(
    head=dict(
        fusion=dict(type='CrossModalFusion', num_heads=4,
                    cross_modal=False)))
