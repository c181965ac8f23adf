"""Print the versions of the stack mmbrain runs on, and whether mmcv's
compiled ops (CPU and CUDA) load. Example::

    python tools/misc/collect_env.py
"""
import argparse

import mmcv
import mmdet
import mmpretrain
import mmseg
import timm
import torch
from mmengine.utils.dl_utils import collect_env as collect_base_env

import mmbrain


def collect_env():
    info = collect_base_env()
    info['mmbrain'] = mmbrain.__version__
    for module in (mmdet, mmseg, mmpretrain, timm):
        info[module.__name__] = module.__version__
    from mmcv.ops import nms, roi_align  # noqa: F401  (compiled ops)
    boxes = torch.tensor([[0., 0., 10., 10.], [1., 1., 10., 10.]])
    scores = torch.tensor([0.9, 0.8])
    info['mmcv ops (CPU)'] = f'ok, nms kept {len(nms(boxes, scores, 0.5)[1])}'
    if torch.cuda.is_available():
        kept = nms(boxes.cuda(), scores.cuda(), 0.5)[1]
        info['mmcv ops (CUDA)'] = f'ok, nms kept {len(kept)}'
    info['mmcv compiled with CUDA'] = mmcv.ops.get_compiling_cuda_version()
    return info


if __name__ == '__main__':
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    for name, value in collect_env().items():
        print(f'{name}: {value}')
