from typing import List, Optional, Union

import torch.nn as nn

from mmbrain.registry import MODELS
from mmbrain.structures import BrainDataSample
from ..heads import BaseReadoutHead
from .base import BasePretrainer, build_part, check_roi_groups

TARGETS = ('fmri', 'features')


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
      oracle positive control).

    The head's groups (R, the length of its ``num_outputs``) are set in the
    config from the dataset's ``rois`` list; with ``target='fmri'`` the
    first batch of training and of validation or testing must hold R
    groups, or a one-line error names the dataset's and the model's keys.

    Args:
        backbone (dict | nn.Module): Image backbone.
        head (dict | BaseReadoutHead): e.g. :class:`ResponseReadoutHead`.
        target (str): ``'fmri'`` or ``'features'``. Defaults to ``'fmri'``.
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
            raise ValueError(f'target must be one of {TARGETS}, got '
                             f'{target!r}')
        super().__init__(backbone, data_preprocessor, init_cfg, channels_last)
        self.head = build_part(head, BaseReadoutHead, 'a readout head')
        self.target = target

    def targets(self, inputs: dict):
        """Per group k the (N, V_k) targets and their (N, V_k) mask (None:
        all real)."""
        if self.target not in inputs:
            raise KeyError(
                f'the batch has no {self.target!r}: '
                + ('add LoadTargetVectors to the pipeline' if self.target ==
                   'features' else 'add LoadBrainResponses to the pipeline'))
        return inputs[self.target], (inputs['mask']
                                     if self.target == 'fmri' else None)

    def forward(self,
                inputs: dict,
                data_samples: Optional[List[BrainDataSample]] = None,
                mode: str = 'tensor'):
        """``'tensor'``: the last backbone output; ``'loss'``: the loss;
        ``'predict'``: samples with ``pred_fmri`` and ``gt_fmri`` (per
        group, (V_k,) of the targets, whichever they are)."""
        if mode == 'tensor':
            return self.extract_feat(inputs['img'])
        if self.target == 'fmri' and 'fmri' in inputs and self.first_batch(
                mode):
            check_roi_groups(len(inputs['fmri']), 'head', self.head,
                             data_samples, mode)
        if mode == 'loss':
            targets, masks = self.targets(inputs)
            return dict(loss_regression=self.head.loss(
                self.extract_feat(inputs['img']), targets, masks,
                inputs.get('subject')))
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        raise RuntimeError(f'Invalid mode "{mode}".')

    def predict(self, inputs: dict,
                data_samples: List[BrainDataSample]) -> List[BrainDataSample]:
        preds = self.head(self.extract_feat(inputs['img']),
                          inputs.get('subject'))
        targets, _ = self.targets(inputs)
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
