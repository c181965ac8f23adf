"""Keep only the backbone of a pretraining checkpoint.

    python tools/model_converters/export_backbone.py \
        work_dirs/brainformer_convnext_s/epoch_100.pth backbone.pth

The output keeps the ``backbone.`` prefix; load it downstream with
``init_cfg=dict(type='Pretrained', checkpoint='backbone.pth',
prefix='backbone.')``.
"""
import argparse

from mmengine.runner import CheckpointLoader

import mmbrain  # noqa: F401  (allow-lists mmengine checkpoint classes)
from mmbrain.engine.hooks import backbone_checkpoint
from mmbrain.utils import report_user_errors, save_checkpoint


@report_user_errors
def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('checkpoint', help='pretraining checkpoint')
    parser.add_argument('out', help='output file')
    parser.add_argument('--prefix', default='backbone.')
    args = parser.parse_args()
    ckpt = CheckpointLoader.load_checkpoint(args.checkpoint,
                                            map_location='cpu')
    ckpt = backbone_checkpoint(ckpt, args.prefix)
    save_checkpoint(ckpt, args.out)
    print(f'{len(ckpt["state_dict"])} backbone tensors written to {args.out}')


if __name__ == '__main__':
    main()
