# The demo of ../voxel-encoding_convnext_s.py.
_base_ = ['../voxel-encoding_convnext_s.py', '../../_base_/demo/nsd.py']
_base_.merge(_base_.demo.nsd)
_base_.merge(_base_.pop('demo').voxel_encoding)
