from typing import Dict, List, Optional, Union

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmbrain.registry import MODELS
from mmbrain.structures import BrainDataSample
from ..heads import BaseAlignHead
from ..text_encoders import BaseTextEncoder
from .base import BasePretrainer, build_part


@MODELS.register_module()
class CaptionContrastivePretrainer(BasePretrainer):
    """Aligns an image backbone with a text encoder of the images' COCO
    captions (CLIP on the NSD images): the captions arm, the CLIP row of
    Brainformer's tables.

    The image side is the brain arms' own: the backbone's last output goes
    to a :class:`BrainAlignHead`, whose global feature p is contrasted with
    the caption feature t by the head's contrastive loss
    (:class:`BrainContrastiveLoss`, symmetric InfoNCE with a learnable
    temperature, negatives from the whole global batch). Text has no ROI
    features, so the head has no guidance loss; its p̄ projection takes no
    part.

    Args:
        backbone (dict | nn.Module): Image backbone.
        text_encoder (dict | nn.Module): A :class:`BaseTextEncoder`, e.g.
            ``dict(type='CaptionTransformer', ...)``.
        head (dict | BaseAlignHead): e.g. :class:`BrainAlignHead`, with
            ``guidance_loss=None``; a config's ``embed_dims`` defaults to
            the text encoder's and ``num_rois`` to 1.
        data_preprocessor (dict, optional): Defaults to
            ``BrainDataPreprocessor`` with ImageNet mean/std.
        init_cfg (dict, optional): mmengine initialisation config.
        channels_last (bool): See :class:`BasePretrainer`. Defaults to
            False.
    """

    def __init__(self,
                 backbone: Union[dict, nn.Module],
                 text_encoder: Union[dict, nn.Module],
                 head: Union[dict, BaseAlignHead],
                 data_preprocessor: Optional[dict] = None,
                 init_cfg=None,
                 channels_last: bool = False):
        super().__init__(backbone, data_preprocessor, init_cfg, channels_last)
        self.text_encoder = build_part(text_encoder, BaseTextEncoder,
                                       'a text encoder')
        encoder = self.text_encoder
        if isinstance(head, dict):
            head = dict(head)
            head.setdefault('embed_dims', encoder.embed_dims)
            head.setdefault('num_rois', 1)
        self.head = build_part(head, BaseAlignHead, 'an alignment head')
        if self.head.embed_dims != encoder.embed_dims:
            raise ValueError(
                f'model.head.embed_dims = {self.head.embed_dims} but '
                f'model.text_encoder.embed_dims = {encoder.embed_dims}; '
                'leave it out of the head to take the encoder\'s')
        if self.head.guidance_loss is not None:
            raise ValueError('captions have no ROI features for the guidance '
                             'loss: set model.head.guidance_loss=None')

    def encode_text(self, inputs: dict) -> torch.Tensor:
        """(N, d) caption features t of a batch from the preprocessor."""
        if 'tokens' not in inputs:
            raise KeyError('the batch has no caption tokens: add '
                           'LoadCaption and TokenizeCaption to the pipeline '
                           '(and captions_dir to the dataset)')
        return self.text_encoder(inputs['tokens'])

    def forward(self,
                inputs: dict,
                data_samples: Optional[List[BrainDataSample]] = None,
                mode: str = 'tensor'):
        """``'tensor'``: the last backbone output; ``'loss'``: the losses;
        ``'predict'``: samples with ``img_embed`` and ``text_embed``."""
        if mode == 'tensor':
            return self.extract_feat(inputs['img'])
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        raise RuntimeError(f'Invalid mode "{mode}".')

    def loss(self, inputs: dict,
             data_samples: List[BrainDataSample]) -> Dict[str, torch.Tensor]:
        """The head's ``loss_contrastive`` between p and t, and the logged
        ``temperature`` and ``global_batch``."""
        return self.head.loss(self.extract_feat(inputs['img']),
                              self.encode_text(inputs), None)

    def predict(self, inputs: dict,
                data_samples: List[BrainDataSample]) -> List[BrainDataSample]:
        """Adds L2-normalised ``img_embed`` (p) and ``text_embed`` (t), each
        (d,), to every sample: ``BrainRetrievalMetric(
        paired_key='text_embed')`` ranks them (image <-> caption)."""
        img, _, _ = self.head(self.extract_feat(inputs['img']))
        img = F.normalize(img, dim=-1)  # [N, d]
        text = F.normalize(self.encode_text(inputs), dim=-1)  # [N, d]
        for sample, p, t in zip(data_samples, img, text):
            sample.set_data(dict(img_embed=p, text_embed=t))
        return data_samples
