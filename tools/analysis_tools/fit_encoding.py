"""Brain response prediction: fit a ridge readout from frozen backbone
features to a subject's voxels, and score it on the test images.

    python tools/analysis_tools/fit_encoding.py \
        configs/encoding/ridge_convnext_s_brain.py [--out metrics.json] \
        [--out-dir DIR]

Extracts features of the train and test splits with the config's
``model`` (``PooledFeatures``), fits ``RidgeCV(**readout)`` on the train
split, predicts the test split and prints the config's metric (Pearson r:
mean, ROI-median, and the Algonauts noise-normalized score when the cache
holds NSD's ncsnr). Each figure's name says which it is.

With ``--out-dir``, where the backbone predicts the brain: for an NSD
cache, the per-voxel r (and the noise-normalized score with ncsnr) as
NIfTI volumes in the subject's space, ``brain_r.nii.gz`` (and
``brain_noise_normalized.nii.gz``; NaN outside the ROI groups), drawn in
``brain_map.png``; for an Algonauts cache (surface, no volume), the median
r per ROI group in ``roi_r.png``.
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

import numpy as np
import torch
from mmengine.config import DictAction
from mmengine.runner import Runner, set_random_seed
from mmengine.utils import ProgressBar

import mmbrain  # noqa: F401  (applies mmbrain.compat)
from mmbrain.evaluation import noise_ceiling, pearson_per_voxel
from mmbrain.models import RidgeCV
from mmbrain.registry import METRICS, MODELS
from mmbrain.utils import load_tool_config, register_all_modules
from mmbrain.visualization import encoding_maps


def extract(model, preprocessor, dataloader_cfg, device):
    """Features (N, F), responses per ROI (N, V_k) and dataset rows."""
    loader = Runner.build_dataloader(dataloader_cfg)
    feats, responses = [], None
    bar = ProgressBar(len(loader.dataset), file=sys.stdout)
    for batch in loader:
        data = preprocessor(batch)
        inputs = data['inputs']
        if not all(m.all() for m in inputs['mask']):
            raise ValueError('a readout is fitted to one subject at a time')
        feats.append(model(inputs['img'].to(device)).cpu())
        fmri = [f.cpu() for f in inputs['fmri']]
        responses = fmri if responses is None else [
            torch.cat([a, b]) for a, b in zip(responses, fmri)
        ]
        bar.update(len(fmri[0]))
    print(flush=True)
    return torch.cat(feats), responses, loader.dataset


def test_noise_ceilings(dataset):
    """Per ROI (V_k,) noise ceilings of the test images, or None without
    ncsnr in the cache. n = the mean repeats of the test images."""
    ncsnr = dataset.ncsnr(dataset.subjects[0])
    if ncsnr is None:
        return None
    n = float(np.mean([
        dataset.get_data_info(i)['num_repeats'] for i in range(len(dataset))
    ]))
    return [noise_ceiling(v, n) for v in ncsnr]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--work-dir')
    parser.add_argument('--out', help='metrics json (default: work dir)')
    parser.add_argument('--out-dir', help='brain maps of the per-voxel r')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args()
    cfg = load_tool_config(args.config, 'none', args.cfg_options,
                           args.work_dir)
    register_all_modules()
    device = 'cuda' if torch.cuda.is_available() else 'cpu'

    if cfg.get('randomness'):  # a random-init backbone's weights
        set_random_seed(**cfg.randomness)
    model = MODELS.build(cfg.model)
    model.init_weights()  # loads the backbone's init_cfg checkpoint
    model.eval().to(device)
    preprocessor = MODELS.build(cfg.data_preprocessor)

    start = time.perf_counter()
    x_train, y_train, _ = extract(model, preprocessor, cfg.train_dataloader,
                                  device)
    x_test, y_test, test_set = extract(model, preprocessor,
                                       cfg.test_dataloader, device)
    extract_s = time.perf_counter() - start

    start = time.perf_counter()
    sizes = [y.shape[1] for y in y_train]
    ridge = RidgeCV(**cfg.readout, device=device).fit(
        x_train, torch.cat(y_train, 1), progress=True)
    pred = ridge.predict(x_test).cpu().split(sizes, dim=1)
    fit_s = time.perf_counter() - start

    metric = METRICS.build(cfg.test_evaluator)
    ceilings = test_noise_ceilings(test_set)
    metric.process(None, [
        dict(
            pred_fmri=[p[i].numpy() for p in pred],
            gt_fmri=[y[i].numpy() for y in y_test],
            noise_ceiling=ceilings,
            rois=test_set.rois) for i in range(len(x_test))
    ])
    metrics = metric.evaluate(len(x_test))

    print(f'{len(x_train)} train / {len(x_test)} test images, '
          f'{x_train.shape[1]} features, {sum(sizes)} voxels; features '
          f'{extract_s:.1f}s, ridge fit {fit_s:.1f}s; alphas chosen: '
          f'{dict(zip(*np.unique(ridge.alpha_.cpu(), return_counts=True)))}')
    width = max(map(len, metrics))
    print('\n'.join(f'{k:<{width}}  {v:.4f}' for k, v in metrics.items()))
    out = args.out or osp.join(cfg.work_dir, 'encoding_metrics.json')
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    with open(out, 'w') as f:
        json.dump(metrics, f, indent=2)
    print(f'metrics written to {out}')
    if args.out_dir:
        rs = [pearson_per_voxel(p.numpy(), y.numpy())
              for p, y in zip(pred, y_test)]
        subject = test_set.subjects[0]
        for path in encoding_maps(test_set.cache_file(subject), test_set.rois,
                                  rs, ceilings, args.out_dir,
                                  f'subject {subject}, test images: '):
            print(f'brain map written to {path}')


if __name__ == '__main__':
    main()
