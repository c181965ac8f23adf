# The demo of ../ade20k-linear_convnext_s.py: the demo's ADE20K (its 6
# classes) at its 128 px, with the small ConvNeXt of the demo pretraining.
_base_ = ['../ade20k-linear_convnext_s.py', '../../_base_/demo/nsd.py']
_base_.merge(_base_.pop('demo').segmentation_probe)
