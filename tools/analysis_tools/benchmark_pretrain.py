"""Speed of the full pretraining step, its split between the image backbone
and the fMRI encoder, the data path against it, and the model's size.

    python tools/analysis_tools/benchmark_pretrain.py \
        configs/pretrain/brainformer_convnext_s.py \
        --data-root data/demo_nsd --subjects 1 2 [--batch 8] [--device cuda]

In one run: iterations per second of the whole step (data preprocessor,
backbone, encoder, both losses, backward, AdamW) on a synthetic batch at the
paper's scale (224x224 images, 6 ROIs of 2k-20k voxels), and of the image
backbone alone (forward, pooling, backward, AdamW); the encoder's share is
the difference. With ``--data-root`` (a prepared cache), the samples per
second the config's training dataset and pipeline serve there with 0 and 2
workers, over the rate the step consumes. Parameters and FLOPs of the model come from mmengine's complexity
analysis, beside the paper's 543.47M and 105.66 GFLOPs. ``--amp`` runs the
step under bf16 autocast (on a GPU). mmengine's counter skips ``scaled_dot_product_attention``, so the
encoder is also counted with ``torch.utils.flop_counter``. The last line is
machine-readable.
"""
import argparse

import torch
from mmengine.analysis import get_model_complexity_info
from mmengine.config import Config
from mmengine.optim import AmpOptimWrapper, OptimWrapper
from torch.utils.flop_counter import FlopCounterMode

from mmbrain.registry import DATASETS, MODELS
from mmbrain.testing import fake_brain_batch
from mmbrain.utils import derive_num_rois, register_all_modules
from mmbrain.utils.benchmark import loader_rate, timed

PAPER_VOXELS = (7000, 2000, 3000, 4000, 2000, 20000)


def complexity(model, data):
    """Parameters and forward FLOPs per sample of backbone and encoder."""
    inputs = model.data_preprocessor(data)['inputs']
    n = len(inputs['img'])
    backbone = get_model_complexity_info(
        model.backbone, inputs=(inputs['img'][:1], ), show_table=False,
        show_arch=False)
    brain_inputs = tuple(inputs[k] for k in ('fmri', 'coords', 'mask',
                                             'subject') if k in inputs)
    encoder = get_model_complexity_info(
        model.brain_encoder,
        inputs=brain_inputs,
        show_table=False,
        show_arch=False)
    # mmengine's counter skips scaled_dot_product_attention: count the
    # encoder again with torch's, which includes it
    with FlopCounterMode(display=False) as counter:
        model.brain_encoder(*brain_inputs)
    return dict(
        params_m=sum(p.numel() for p in model.parameters()) / 1e6,
        backbone_params_m=backbone['params'] / 1e6,
        encoder_params_m=encoder['params'] / 1e6,
        backbone_gflops=backbone['flops'] / 1e9,
        encoder_gflops_mmengine=encoder['flops'] / 1e9 / n,
        encoder_gflops=counter.get_total_flops() / 1e9 / n)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--batch', type=int, default=8)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--amp', action='store_true')
    parser.add_argument('--data-root', help='a prepared NSD (or demo) root')
    parser.add_argument('--subjects', type=int, nargs='+', default=[1])
    parser.add_argument(
        '--voxels', type=int, nargs=6, default=PAPER_VOXELS,
        help='voxels per ROI of the synthetic batch')
    args = parser.parse_args()
    register_all_modules()
    cfg = derive_num_rois(Config.fromfile(args.config), args.config)
    img_size = cfg.get('img_size', 224)
    model = MODELS.build(cfg.model).to(args.device).train()
    data = fake_brain_batch(args.batch, args.voxels, img_size)
    wrapper_type = AmpOptimWrapper if args.amp else OptimWrapper
    extra = dict(dtype='bfloat16') if args.amp else {}
    full_wrapper = wrapper_type(
        optimizer=torch.optim.AdamW(model.parameters(), lr=1e-4), **extra)
    backbone_wrapper = wrapper_type(
        optimizer=torch.optim.AdamW(model.backbone.parameters(), lr=1e-4),
        **extra)

    def full_step():
        model.train_step(data, full_wrapper)

    def backbone_step():
        img = model.data_preprocessor(data, True)['inputs']['img']
        with backbone_wrapper.optim_context(model):
            loss = model.extract_feat(img).float().pow(2).mean()
        backbone_wrapper.update_params(loss)

    t_full = timed(full_step, args.device, repeats=2)
    t_backbone = timed(backbone_step, args.device, repeats=2)
    step_rate = args.batch / t_full
    encoder_share = max(t_full - t_backbone, 0) / t_full
    print(f'{cfg.filename}: batch {args.batch} at {img_size}px, 6 ROIs of '
          f'{list(args.voxels)} voxels, {args.device}'
          f'{" bf16 autocast" if args.amp else ""}')
    print(f'full step {t_full:.2f}s ({1 / t_full:.2f} it/s, '
          f'{step_rate:.1f} samples/s); backbone alone {t_backbone:.2f}s '
          f'({1 / t_backbone:.2f} it/s)')
    print(f'share of the step: image backbone {1 - encoder_share:.0%}, '
          f'fMRI encoder and losses {encoder_share:.0%}')

    with torch.no_grad():
        size = complexity(model.eval(), data)
    print(f'parameters {size["params_m"]:.2f}M (backbone '
          f'{size["backbone_params_m"]:.2f}M, encoder '
          f'{size["encoder_params_m"]:.2f}M; the paper: 543.47M); forward '
          f'GFLOPs per sample: backbone {size["backbone_gflops"]:.2f}, '
          f'encoder {size["encoder_gflops"]:.2f} (attention included; '
          f'{size["encoder_gflops_mmengine"]:.2f} by mmengine, which skips '
          'it); the paper: 105.66 for the model')

    line = (f'step_s={t_full:.3f} samples_per_s={step_rate:.2f} '
            f'encoder_share={encoder_share:.3f} '
            f'params_m={size["params_m"]:.2f} '
            f'encoder_gflops={size["encoder_gflops"]:.2f}')
    if args.data_root:
        # the config's training dataset and pipeline, on the given data
        dataset = DATASETS.build(
            dict(
                cfg.train_dataloader.dataset,
                data_root=args.data_root,
                subjects=args.subjects))
        rates = {w: loader_rate(dataset, w, args.batch) for w in (0, 2)}
        for w, r in rates.items():
            print(f'loader, {w} workers: {r:.1f} samples/s = '
                  f'{r / step_rate:.1f}x what the step consumes')
        line += f' loader_over_step={max(rates.values()) / step_rate:.1f}'
    print(line)


if __name__ == '__main__':
    main()
