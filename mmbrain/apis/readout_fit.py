"""Brain response prediction as a fit: frozen backbone features of one
subject's images, a ridge readout to every voxel, scored on its test
images."""
import sys
import time
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.runner import Runner, set_random_seed
from mmengine.utils import ProgressBar

from mmbrain.datasets.transforms import LoadBrainResponses
from mmbrain.evaluation import noise_ceiling
from mmbrain.models import RidgeCV
from mmbrain.registry import METRICS, MODELS
from mmbrain.utils import register_all_modules


def extract(model, preprocessor, dataloader_cfg, device):
    """Features (N, F), responses per ROI (N, V_k) and the dataset."""
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


def frozen_extractor(cfg: Config, device: str) -> tuple:
    """``cfg.model`` (a random-init backbone seeded by ``cfg.randomness``;
    a checkpoint through its ``init_cfg``) in eval mode on ``device``, and
    ``cfg.data_preprocessor`` there too."""
    register_all_modules()
    if cfg.get('randomness'):  # a random-init backbone's weights
        set_random_seed(**cfg.randomness)
    model = MODELS.build(cfg.model)
    model.init_weights()  # loads the backbone's init_cfg checkpoint
    model.eval().to(device)
    return model, MODELS.build(cfg.data_preprocessor).to(device)


def test_noise_ceilings(dataset) -> Optional[List[np.ndarray]]:
    """Per ROI (V_k,) noise ceilings of the test images, or None without
    ncsnr in the cache. n = the mean repeats of the test images."""
    ncsnr = dataset.ncsnr(dataset.subjects[0])
    if ncsnr is None:
        return None
    n = float(np.mean([
        dataset.get_data_info(i)['num_repeats'] for i in range(len(dataset))
    ]))
    return [noise_ceiling(v, n) for v in ncsnr]


@dataclass
class ReadoutFit:
    """What :func:`fit_readout` gives.

    Attributes:
        metrics (dict): the config's test metric, by name.
        predictions (list[Tensor]): per ROI, (N_test, V_k) predictions.
        responses (list[Tensor]): per ROI, (N_test, V_k) measured.
        ceilings (list[np.ndarray] | None): per ROI noise ceilings.
        test_set: the test dataset.
        ridge (RidgeCV): the fitted readout.
        shapes (dict): train / test images, features, voxels.
        seconds (dict): ``features`` and ``fit``.
        model: the frozen feature extractor.
        preprocessor: its data preprocessor.
        device (str): where both run.
    """
    metrics: Dict[str, float]
    predictions: List[torch.Tensor]
    responses: List[torch.Tensor]
    ceilings: Optional[List[np.ndarray]]
    test_set: object
    ridge: RidgeCV
    shapes: Dict[str, int]
    seconds: Dict[str, float]
    model: torch.nn.Module
    preprocessor: torch.nn.Module
    device: str

    def predict_images(self, files: Sequence[str], nsd_ids: Sequence[int],
                       batch_size: int = 32) -> List[torch.Tensor]:
        """Per ROI, (N, V_k) predictions for images without responses
        (Algonauts' test images), through the test pipeline without
        ``LoadBrainResponses``."""
        dataset = self.test_set
        transforms = Compose([
            t for t in dataset.pipeline.transforms
            if not isinstance(t, LoadBrainResponses)
        ])
        subject = dataset.subjects[0]
        feats = []
        for start in range(0, len(files), batch_size):
            batch = pseudo_collate([
                transforms(dict(img_path=f, nsd_id=int(i), subject=subject,
                                rois=dataset.rois))
                for f, i in zip(files[start:start + batch_size],
                                nsd_ids[start:start + batch_size])
            ])
            img = self.preprocessor(batch)['inputs']['img']
            with torch.no_grad():
                feats.append(self.model(img.to(self.device)))
        pred = self.ridge.predict(torch.cat(feats)).cpu()
        return list(pred.split([p.shape[1] for p in self.predictions],
                               dim=1))


def fit_readout(cfg: Config, device: str = 'cpu') -> ReadoutFit:
    """Extract the features of ``cfg.train_dataloader`` and
    ``cfg.test_dataloader`` with ``cfg.model`` (a random-init backbone
    seeded by ``cfg.randomness``; a checkpoint through its ``init_cfg``),
    fit ``RidgeCV(**cfg.readout)`` on the train split and score the test
    split with ``cfg.test_evaluator``."""
    model, preprocessor = frozen_extractor(cfg, device)
    start = time.perf_counter()
    x_train, y_train, _ = extract(model, preprocessor, cfg.train_dataloader,
                                  device)
    x_test, y_test, test_set = extract(model, preprocessor,
                                       cfg.test_dataloader, device)
    features_s = time.perf_counter() - start

    start = time.perf_counter()
    sizes = [y.shape[1] for y in y_train]
    ridge = RidgeCV(**cfg.readout, device=device).fit(
        x_train, torch.cat(y_train, 1), progress=True)
    pred = list(ridge.predict(x_test).cpu().split(sizes, dim=1))
    fit_s = time.perf_counter() - start

    metric = METRICS.build(cfg.test_evaluator)
    ceilings = test_noise_ceilings(test_set)
    areas = (test_set.areas(test_set.subjects[0])
             if getattr(metric, 'areas', False) else None)
    metric.process(None, [
        dict(
            pred_fmri=[p[i].numpy() for p in pred],
            gt_fmri=[y[i].numpy() for y in y_test],
            noise_ceiling=ceilings,
            areas=areas,
            rois=test_set.rois) for i in range(len(x_test))
    ])
    return ReadoutFit(
        metrics=metric.evaluate(len(x_test)),
        predictions=pred,
        responses=y_test,
        ceilings=ceilings,
        test_set=test_set,
        ridge=ridge,
        shapes=dict(train=len(x_train), test=len(x_test),
                    features=x_train.shape[1], voxels=sum(sizes)),
        seconds=dict(features=features_s, fit=fit_s),
        model=model,
        preprocessor=preprocessor,
        device=device)
