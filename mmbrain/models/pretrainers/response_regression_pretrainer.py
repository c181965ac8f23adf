from typing import List, Optional, Union

import torch
import torch.nn as nn

from mmbrain.registry import MODELS
from mmbrain.structures import BrainDataSample
from mmbrain.utils.user_errors import ConfigError
from ..heads import BaseReadoutHead
from .base import BasePretrainer, build_part, check_roi_groups

# target kind -> (the batch's key of its targets, the transform that loads
# them); category labels travel as the samples' target vectors
TARGETS = {
    'fmri': ('fmri', 'LoadBrainResponses'),
    'features': ('features', 'LoadTargetVectors'),
    'labels': ('features', 'LoadCocoLabels'),
}


@MODELS.register_module()
class ResponseRegressionPretrainer(BasePretrainer):
    """Pretrains a backbone to predict each image's targets by regression,
    through a :class:`ResponseReadoutHead`.

    - ``target='fmri'``: the batch's z-scored voxel responses, with one
      readout per subject (the voxel-encoding objective: align the backbone
      with the brain by predicting it, as neural-regularisation and ReAlnet
      do);
    - ``target='features'``: per-image target vectors that
      ``LoadTargetVectors`` reads from a file (features of any model; the
      demo generator's, which drive its synthetic brains, make the study's
      oracle positive control);
    - ``target='labels'``: the image's COCO categories, the multi-hot
      vector that ``LoadCocoLabels`` gives (one group of C entries): a
      logistic regression, the head giving one logit per category and
      owning a binary cross-entropy (``MultiLabelBCELoss``); the labels
      positive control, which exists on real NSD. ``'predict'`` gives
      ``pred_score`` (C,) probabilities and ``gt_score`` (C,) labels, for
      ``mmpretrain.AveragePrecision``.

    The head's groups (R, the length of its ``num_outputs``) are set in the
    config from the dataset's ``rois`` list; with ``target='fmri'`` the
    first batch of training and of validation or testing must hold R
    groups, or a one-line error names the dataset's and the model's keys.
    With ``target='labels'`` the head must give exactly one output per
    category: a ConfigError on the first training batch and at prediction
    names ``model.head.num_outputs`` otherwise.

    Args:
        backbone (dict | nn.Module): Image backbone.
        head (dict | BaseReadoutHead): e.g. :class:`ResponseReadoutHead`.
        target (str): ``'fmri'``, ``'features'`` or ``'labels'``. Defaults
            to ``'fmri'``.
        data_preprocessor (dict, optional): Defaults to
            ``BrainDataPreprocessor`` with ImageNet mean/std.
        init_cfg (dict, optional): mmengine initialisation config.
        channels_last (bool): See :class:`BasePretrainer`. Defaults to
            False.
    """

    def __init__(self,
                 backbone: Union[dict, nn.Module],
                 head: Union[dict, BaseReadoutHead],
                 target: str = 'fmri',
                 data_preprocessor: Optional[dict] = None,
                 init_cfg=None,
                 channels_last: bool = False):
        if target not in TARGETS:
            raise ValueError(f'target must be one of {tuple(TARGETS)}, got '
                             f'{target!r}')
        super().__init__(backbone, data_preprocessor, init_cfg, channels_last)
        self.head = build_part(head, BaseReadoutHead, 'a readout head')
        self.target = target

    def targets(self, inputs: dict):
        """Per group k the (N, V_k) targets and their (N, V_k) mask (None:
        all real)."""
        key, loader = TARGETS[self.target]
        if key not in inputs:
            raise KeyError(f'the batch has no {key!r}: add {loader} to the '
                           'pipeline')
        return inputs[key], (inputs['mask'] if self.target == 'fmri' else
                             None)

    @staticmethod
    def check_labels(preds: List[torch.Tensor],
                     targets: List[torch.Tensor]):
        """With ``target='labels'``: the head must give one logit per
        category, no more (outputs left untrained) and no fewer."""
        outputs = [p.shape[1] for p in preds]
        widths = [t.shape[1] for t in targets]
        if outputs != widths:
            raise ConfigError(
                f'the labels have {widths} categories (LoadCocoLabels: those '
                'of its ann_files) but the head gives '
                f'{outputs} outputs: set model.head.num_outputs to {widths}')

    def forward(self,
                inputs: dict,
                data_samples: Optional[List[BrainDataSample]] = None,
                mode: str = 'tensor'):
        """``'tensor'``: the last backbone output; ``'loss'``: the loss;
        ``'predict'``: samples with ``pred_fmri`` and ``gt_fmri`` (per
        group, (V_k,) of the targets, whichever they are), or for
        ``target='labels'`` ``pred_score`` and ``gt_score`` ((C,) each)."""
        if mode == 'tensor':
            return self.extract_feat(inputs['img'])
        first = mode in ('loss', 'predict') and self.first_batch(mode)
        if first and self.target == 'fmri' and 'fmri' in inputs:
            check_roi_groups(len(inputs['fmri']), 'head', self.head,
                             data_samples, mode)
        if mode == 'loss':
            targets, masks = self.targets(inputs)
            feats = self.extract_feat(inputs['img'])
            if first and self.target == 'labels':
                with torch.no_grad():
                    self.check_labels(
                        self.head(feats, inputs.get('subject')), targets)
            return dict(loss_regression=self.head.loss(
                feats, targets, masks, inputs.get('subject')))
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        raise RuntimeError(f'Invalid mode "{mode}".')

    def predict(self, inputs: dict,
                data_samples: List[BrainDataSample]) -> List[BrainDataSample]:
        preds = self.head(self.extract_feat(inputs['img']),
                          inputs.get('subject'))
        targets, _ = self.targets(inputs)
        if self.target == 'labels':  # one group: (N, C) logits and labels
            self.check_labels(preds, targets)
            scores = preds[0].detach().float().sigmoid().cpu()
            for sample, score, label in zip(data_samples, scores,
                                            targets[0].detach().cpu()):
                sample.set_data(dict(pred_score=score, gt_score=label))
            return data_samples
        for i, sample in enumerate(data_samples):
            # a sample's voxels are a prefix of its padded row (host ints)
            widths = ([n[i] for n in inputs['lengths']]
                      if self.target == 'fmri' else
                      [t.shape[1] for t in targets])
            sample.set_data(
                dict(
                    pred_fmri=[
                        p[i, :w].detach().cpu() for p, w in zip(preds, widths)
                    ],
                    gt_fmri=[
                        t[i, :w].detach().cpu()
                        for t, w in zip(targets, widths)
                    ]))
        return data_samples
