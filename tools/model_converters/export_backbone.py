"""Keep only the backbone of a pretraining checkpoint.

    python tools/model_converters/export_backbone.py \
        work_dirs/brainformer_convnext_s/epoch_100.pth backbone.pth

The output keeps the ``backbone.`` prefix; load it downstream with
``init_cfg=dict(type='Pretrained', checkpoint='backbone.pth',
prefix='backbone.')``.
"""
import argparse

import torch
from mmengine.runner import CheckpointLoader

import mmbrain  # noqa: F401  (allow-lists mmengine checkpoint classes)
from mmbrain.engine.hooks import backbone_checkpoint
from mmbrain.utils.checkpoint import CheckpointError


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('checkpoint', help='pretraining checkpoint')
    parser.add_argument('out', help='output file')
    parser.add_argument('--prefix', default='backbone.')
    args = parser.parse_args()
    try:
        ckpt = CheckpointLoader.load_checkpoint(args.checkpoint,
                                                map_location='cpu')
    except CheckpointError as e:
        parser.exit(1, f'error: {e}\n')
    ckpt = backbone_checkpoint(ckpt, args.prefix)
    torch.save(ckpt, args.out)
    print(f'{len(ckpt["state_dict"])} backbone tensors written to {args.out}')


if __name__ == '__main__':
    main()
