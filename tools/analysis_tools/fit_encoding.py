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
``brain_noise_normalized.nii.gz``; NaN outside the ROIs), drawn in
``brain_map.png`` over the subject's T1 in the same space
(``nsddata/ppdata/subjXX/func1pt8mm/T1_to_func1pt8mm.nii.gz``) when it is
there, or over ``--bg-img``; for an Algonauts cache (surface, no volume),
the median r per ROI in ``roi_r.png``.

With ``--algonauts-submission DIR`` (an Algonauts 2023 cache converted with
``--rois all-vertices``), the readout predicts the subject's
``test_split/test_images`` and writes the challenge's files,
``DIR/subjXX/{lh,rh}_pred_test.npy`` (float32, test images x vertices, in
the test images' order).
"""
import argparse
import os.path as osp

import numpy as np
import torch
from mmengine.config import DictAction

from mmbrain.datasets.nsd import BrainCache
from mmbrain.datasets.nsd.algonauts import image_files, write_submission
from mmbrain.datasets.nsd.layout import t1_path
from mmbrain.evaluation import pearson_per_voxel
from mmbrain.apis import fit_readout
from mmbrain.utils import load_tool_config, report_user_errors, write_json
from mmbrain.visualization import encoding_maps


@report_user_errors
def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--work-dir')
    parser.add_argument('--out', help='metrics json (default: work dir)')
    parser.add_argument('--out-dir', help='brain maps of the per-voxel r')
    parser.add_argument(
        '--bg-img',
        help="anatomy under the brain map, a NIfTI in the subject's space "
        "(default: NSD's T1_to_func1pt8mm.nii.gz where it is)")
    parser.add_argument(
        '--algonauts-submission',
        metavar='DIR',
        help='write the Algonauts 2023 test predictions under DIR')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args()
    cfg = load_tool_config(args.config, 'none', args.cfg_options,
                           args.work_dir)
    fit = fit_readout(cfg, 'cuda' if torch.cuda.is_available() else 'cpu')
    shapes, seconds, metrics = fit.shapes, fit.seconds, fit.metrics
    alphas = np.unique(fit.ridge.alpha_.cpu(), return_counts=True)
    print(f'{shapes["train"]} train / {shapes["test"]} test images, '
          f'{shapes["features"]} features, {shapes["voxels"]} voxels; '
          f'features {seconds["features"]:.1f}s, ridge fit '
          f'{seconds["fit"]:.1f}s; alphas chosen: {dict(zip(*alphas))}')
    width = max(map(len, metrics))
    print('\n'.join(f'{k:<{width}}  {v:.4f}' for k, v in metrics.items()))
    out = args.out or osp.join(cfg.work_dir, 'encoding_metrics.json')
    write_json(out, metrics)
    print(f'metrics written to {out}')
    test_set = fit.test_set
    subject = test_set.subjects[0]
    if args.out_dir:
        rs = [pearson_per_voxel(p.numpy(), y.numpy())
              for p, y in zip(fit.predictions, fit.responses)]
        t1 = t1_path(test_set.data_root, subject)
        bg_img = args.bg_img or (t1 if osp.isfile(t1) else None)
        print(f'anatomy under the map: {bg_img}')
        for path in encoding_maps(test_set.cache_file(subject), test_set.rois,
                                  rs, fit.ceilings, args.out_dir,
                                  f'subject {subject}, test images: ',
                                  bg_img):
            print(f'brain map written to {path}')
    if args.algonauts_submission:
        with BrainCache(test_set.cache_file(subject), test_set.rois) as cache:
            if cache.hemisphere_vertices is None:
                parser.error(f'{cache.path} is not an Algonauts cache (see '
                             'prepare_nsd.py --format algonauts)')
            vertices = [cache.vertex(roi) for roi in test_set.rois]
            files, nsd_ids = image_files(cache.source, 'test')
            counts = cache.hemisphere_vertices
        pred = fit.predict_images(files, nsd_ids)
        written = write_submission(args.algonauts_submission, subject,
                                   [p.numpy() for p in pred], vertices,
                                   counts)
        for hemi, path in written.items():
            print(f'{hemi} predictions of {len(files)} test images written '
                  f'to {path}')


if __name__ == '__main__':
    main()
