# The demo of ../coco-multilabel_convnext_s.py: the demo's COCO without the
# NSD images (its 4 categories) at its 96 px, with the small ConvNeXt of
# the demo pretraining.
_base_ = ['../coco-multilabel_convnext_s.py', '../../_base_/demo/nsd.py']
_base_.merge(_base_.pop('demo').multilabel_probe)
