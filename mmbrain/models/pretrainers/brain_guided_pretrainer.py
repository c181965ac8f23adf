from typing import Dict, List, Optional, Union

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmbrain.registry import MODELS
from mmbrain.structures import BrainDataSample
from ..brain_encoders import BaseBrainEncoder
from ..heads import BaseAlignHead
from ..losses import BiMixCoLoss, mixco
from .base import BasePretrainer, build_part, check_roi_groups


@MODELS.register_module()
class BrainGuidedPretrainer(BasePretrainer):
    """Aligns an image backbone with a brain encoder (Brainformer).

    The image side is any backbone (``type='mmpretrain.ConvNeXt'``,
    ``'mmdet.SwinTransformer'``, ``'mmbrain.TimmFeatureBackbone'``, ...);
    its last output goes to the head, which pools and projects it and
    computes the losses against the brain encoder's features. Parts are
    configs or ready modules.

    R, the number of ROI groups, is the encoder's (its ``num_rois``, or
    the length of its ``num_voxels``), which the config sets from the
    dataset's ``rois`` list (``configs/pretrain/brainformer_convnext_s.py``);
    the head takes it from the encoder. The first batch of training and of
    validation or testing must hold R groups, or a one-line error names the
    dataset's and the model's keys.

    Args:
        backbone (dict | nn.Module): Image backbone.
        brain_encoder (dict | nn.Module): A :class:`BaseBrainEncoder`.
        head (dict | BaseAlignHead): e.g. :class:`BrainAlignHead`; a
            config's ``num_rois`` and ``embed_dims`` default to the
            encoder's.
        mixco (dict, optional): ``alpha`` and ``prob`` of :func:`mixco`:
            while ``self.mixing`` is True (:class:`MixCoScheduleHook` turns
            it off), training batches mix the brain encoder's shared latent
            (``has_shared_latent``: its ``embed``, then ``decode``)
            and the head's contrastive loss gets the mix (BiMixCo). ROI
            features q̄ come from the unmixed latent. Defaults to None.
        self_supervised (dict, optional): An image-only self-supervised
            algorithm of mmpretrain, e.g. ``dict(type='mmpretrain.BYOL',
            neck=..., head=...)`` without its backbone: it shares this
            model's, and its loss on the batch's augmented ``views``
            (:class:`AugmentedViews`) is added to the brain losses as
            ``loss_self_supervised``. The brain losses see the un-augmented
            image. Defaults to None.
        self_supervised_weight (float): The weight of that loss; the brain
            losses' weights are their own ``loss_weight``. Defaults to 1.
        data_preprocessor (dict, optional): Defaults to
            ``BrainDataPreprocessor`` with ImageNet mean/std.
        init_cfg (dict, optional): mmengine initialisation config.
        channels_last (bool): See :class:`BasePretrainer`. Defaults to
            False.
    """

    def __init__(self,
                 backbone: Union[dict, nn.Module],
                 brain_encoder: Union[dict, nn.Module],
                 head: Union[dict, BaseAlignHead],
                 mixco: Optional[dict] = None,
                 self_supervised: Optional[dict] = None,
                 self_supervised_weight: float = 1.,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg=None,
                 channels_last: bool = False):
        algorithm = None
        if self_supervised is not None:
            if not isinstance(backbone, dict):
                raise TypeError('with self_supervised, give the backbone as '
                                'a config: the algorithm builds it')
            # its own preprocessor goes unused (this model's normalises the
            # views), but is built: scoped, as mmbrain's is the default
            algorithm = MODELS.build(
                dict(dict(data_preprocessor=dict(
                    type='mmpretrain.SelfSupDataPreprocessor')),
                     **self_supervised,
                     backbone=backbone))
            # built with the algorithm (its momentum encoder copies it), and
            # registered once, here, so that it exports under backbone.
            backbone = algorithm._modules.pop('backbone')
        super().__init__(backbone, data_preprocessor, init_cfg, channels_last)
        self.self_supervised = algorithm
        self.self_supervised_weight = self_supervised_weight
        if algorithm is not None:
            # a plain attribute: the algorithm's loss uses the shared
            # backbone, which parameters() and state_dict() see only once
            algorithm.__dict__['backbone'] = self.backbone
        self.brain_encoder = build_part(brain_encoder, BaseBrainEncoder,
                                        'a brain encoder')
        encoder = self.brain_encoder
        if isinstance(head, dict):
            head = dict(head)
            head.setdefault('num_rois', encoder.num_rois)
            head.setdefault('embed_dims', encoder.embed_dims)
        self.head = build_part(head, BaseAlignHead, 'an alignment head')
        for name in ('num_rois', 'embed_dims'):
            if getattr(self.head, name) != getattr(encoder, name):
                raise ValueError(
                    f'model.head.{name} = {getattr(self.head, name)} but '
                    f'model.brain_encoder.{name} = {getattr(encoder, name)}'
                    f' ({type(encoder).__name__}); leave it out of the head '
                    'to take the encoder\'s')
        if self.head.guidance_loss is not None and not encoder.roi_features:
            raise ValueError(
                f'{type(encoder).__name__} gives no ROI features q̄ for the '
                'guidance loss: set model.head.guidance_loss=None (or '
                'roi_tokens=True for MindEyeBrainEncoder)')
        self.mixco = mixco
        self.mixing = mixco is not None
        if mixco is not None and not encoder.has_shared_latent:
            raise TypeError(
                f'mixco mixes a shared brain latent, which '
                f'{type(self.brain_encoder).__name__} does not have (use '
                'MindEyeBrainEncoder)')
        if mixco is not None and not isinstance(self.head.contrastive_loss,
                                                BiMixCoLoss):
            raise TypeError('mixco needs a contrastive loss that takes the '
                            "mix: model.head.contrastive_loss=dict(type="
                            "'BiMixCoLoss')")
        if mixco is not None and self.head.fusion is not None:
            raise ValueError('mixco and the head\'s fusion block do not go '
                             'together: the fused tokens would mix mixed '
                             'and unmixed brain features')

    def encode_brain(self, inputs: dict):
        """Brain features ``(q, q̄)`` of a batch from the preprocessor."""
        return self.brain_encoder(inputs['fmri'], inputs['coords'],
                                  inputs['rows'], inputs['mask'],
                                  inputs.get('subject'), inputs.get('lengths'))

    def forward(self,
                inputs: dict,
                data_samples: Optional[List[BrainDataSample]] = None,
                mode: str = 'tensor'):
        """``'tensor'``: the last backbone output; ``'loss'``: the losses;
        ``'predict'``: samples with ``img_embed`` and ``brain_embed`` (and
        ``roi_attention`` with the head's attention pooling)."""
        if mode == 'tensor':
            return self.extract_feat(inputs['img'])
        if self.first_batch(mode):
            check_roi_groups(len(inputs['fmri']), 'brain_encoder',
                             self.brain_encoder, data_samples, mode)
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        raise RuntimeError(f'Invalid mode "{mode}".')

    def loss(self, inputs: dict,
             data_samples: List[BrainDataSample]) -> Dict[str, torch.Tensor]:
        losses = self.brain_loss(inputs)
        if self.self_supervised is not None:
            if 'views' not in inputs:
                raise KeyError(
                    'model.self_supervised needs augmented views: add '
                    'AugmentedViews to the training pipeline')
            image_only = self.self_supervised.loss(inputs['views'],
                                                   data_samples)
            losses['loss_self_supervised'] = (self.self_supervised_weight *
                                              image_only['loss'])
        return losses

    def brain_loss(self, inputs: dict) -> Dict[str, torch.Tensor]:
        """The head's losses on the un-augmented images."""
        feats = self.extract_feat(inputs['img'])
        if not self.mixing:
            return self.head.loss(feats, *self.encode_brain(inputs))
        latent = self.brain_encoder.embed(inputs['fmri'], inputs['mask'],
                                          inputs.get('subject'))
        mixed, perm, beta = mixco(latent, **self.mixco)
        brain, _ = self.brain_encoder.decode(mixed)
        brain_rois = (None if self.head.guidance_loss is None else
                      self.brain_encoder.decode(latent)[1])
        return self.head.loss(feats, brain, brain_rois, mix=(perm, beta))

    def predict(self, inputs: dict,
                data_samples: List[BrainDataSample]) -> List[BrainDataSample]:
        """Adds L2-normalised ``img_embed`` (p) and ``brain_embed`` (q), each
        (d,), to every sample, and the head's (R, h, w) ``roi_attention``
        where it pools with attention. With a fusion block they are the
        fused p and q; with ``cross_modal=True`` p has seen the sample's own
        fMRI, so retrieval with them is not image-only."""
        img, img_rois, attn = self.head(self.extract_feat(inputs['img']))
        img, _, brain, _ = self.head.fuse(img, img_rois,
                                          *self.encode_brain(inputs))
        img, brain = F.normalize(img, dim=-1), F.normalize(brain, dim=-1)
        for i, (sample, p, q) in enumerate(zip(data_samples, img, brain)):
            sample.set_data(dict(img_embed=p, brain_embed=q))
            if attn is not None:
                sample.set_data(dict(roi_attention=attn[i]))
        return data_samples
