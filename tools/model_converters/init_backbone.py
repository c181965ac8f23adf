"""Write the starting weights of a config's backbone under a seed, in the
format of ``export_backbone.py``.

    python tools/model_converters/init_backbone.py \
        configs/pretrain/demo/brainformer_convnext_demo.py start.pth --seed 0

Every arm of a transfer-study seed loads its backbone from such a file or
from an export of a pretraining that began from it, so that the necks and
heads drawn after the backbone are the same for every arm.
"""
import argparse

from mmengine.config import Config, DictAction

from mmbrain.apis import initial_backbone
from mmbrain.utils import report_user_errors, save_checkpoint


@report_user_errors
def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='a config whose model has a backbone')
    parser.add_argument('out', help='output file')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    ckpt = initial_backbone(cfg, args.seed)
    save_checkpoint(ckpt, args.out)
    print(f'{len(ckpt["state_dict"])} backbone tensors of seed {args.seed} '
          f'written to {args.out}')


if __name__ == '__main__':
    main()
