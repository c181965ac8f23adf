# The demo of ../clip-captions_convnext_s.py. The demo NSD's generator
# writes five captions per image from the scene's content (each object's
# colour, category and quadrant, the sky's and the ground's colours).
_base_ = ['../clip-captions_convnext_s.py', '../../_base_/demo/nsd.py']
_base_.merge(_base_.demo.nsd)
_base_.merge(_base_.pop('demo').captions)
# the twin's pipelines at the demo's image size and context length
demo_args = dict(
    Resize=dict(scale=(_base_.img_size, _base_.img_size)),
    TokenizeCaption=dict(context_length=_base_.context_length))
train_pipeline = [
    dict(t, **demo_args.get(t.type, {})) for t in _base_.train_pipeline
]
test_pipeline = [
    dict(t, **demo_args.get(t.type, {})) for t in _base_.test_pipeline
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
