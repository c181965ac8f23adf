from typing import Dict, Optional, Tuple

import torch
import torch.nn as nn
from mmengine.dist import get_world_size

from mmbrain.registry import MODELS
from .base import BaseAlignHead, ImageFeatures

ROI_POOLING = ('global', 'attention')


@MODELS.register_module()
class BrainAlignHead(BaseAlignHead):
    """Projects backbone features into the brain space; owns the losses.

    The global feature ``p = Linear(avgpool(x))``; per ROI k the local
    feature ``p̄^k = Linear_k(f^k)`` (one weight for all ROIs), where f^k is

    - ``'global'``: the same average-pooled vector for every ROI (the
      paper's wording; no loss then sees where anything is);
    - ``'attention'``: ROI k's attention pooling of the map
      (:class:`RoiAttentionPool`), so p̄^k comes from the image regions
      ROI k attends to.

    Args:
        in_channels (int): Channels C of the backbone's last output.
        embed_dims (int): d_r of the brain encoder.
        num_rois (int): ROIs R.
        roi_pooling (str): ``'global'`` or ``'attention'``. Defaults to
            ``'global'``.
        contrastive_loss (dict): Config of the contrastive loss.
        guidance_loss (dict, optional): Config of the guidance loss; None
            drops it (the paper's "without guidance loss" ablation).
        fusion (dict, optional): A block that fuses the image tokens
            ``[p, p̄]`` with the brain tokens ``[q, q̄]`` before the losses,
            e.g. ``dict(type='CrossModalFusion', num_heads=8)``
            (NeuroFusionNet); ``embed_dims`` is filled in. Defaults to None.
    """

    def __init__(self,
                 in_channels: int,
                 embed_dims: int,
                 num_rois: int,
                 roi_pooling: str = 'global',
                 contrastive_loss: dict = dict(type='BrainContrastiveLoss'),
                 guidance_loss: Optional[dict] = dict(
                     type='BrainGuidanceLoss'),
                 fusion: Optional[dict] = None,
                 init_cfg=None):
        super().__init__(num_rois, embed_dims, init_cfg)
        if roi_pooling not in ROI_POOLING:
            raise ValueError(f'roi_pooling must be one of {ROI_POOLING}, '
                             f'got {roi_pooling!r}')
        self.global_proj = nn.Linear(in_channels, embed_dims)
        self.roi_proj = nn.Linear(in_channels, num_rois * embed_dims)
        self.roi_pool = (
            MODELS.build(
                dict(type='RoiAttentionPool', in_channels=in_channels,
                     num_rois=num_rois))
            if roi_pooling == 'attention' else None)
        self.contrastive_loss = MODELS.build(contrastive_loss)
        self.guidance_loss = (
            MODELS.build(guidance_loss) if guidance_loss else None)
        self.fusion = (
            MODELS.build(dict(fusion, embed_dims=embed_dims))
            if fusion else None)

    def forward(self, feats: torch.Tensor) -> ImageFeatures:
        """Backbone features -> p, p̄ and the ROI attention.

        Args:
            feats (Tensor): (N, C, H, W) last backbone output, or (N, C)
                already pooled (global ROI pooling only).

        Returns:
            tuple: p (N, d), p̄ (N, R, d), and (N, R, H, W) attention maps
            with ``'attention'`` pooling (else None).
        """
        pooled = feats.mean(dim=(2, 3)) if feats.dim() == 4 else feats
        if self.roi_pool is None:
            local = self.roi_proj(pooled).view(-1, self.num_rois,
                                               self.embed_dims)
            return self.global_proj(pooled), local, None
        if feats.dim() != 4:
            raise ValueError('attention ROI pooling needs (N, C, H, W) '
                             f'features, got {tuple(feats.shape)}')
        roi_feats, attn = self.roi_pool(feats)  # [N, R, C], [N, R, H, W]
        weight = self.roi_proj.weight.view(self.num_rois, self.embed_dims, -1)
        local = torch.einsum('nrc,rdc->nrd', roi_feats, weight)
        local = local + self.roi_proj.bias.view(self.num_rois, -1)
        return self.global_proj(pooled), local, attn

    def loss(self,
             feats: torch.Tensor,
             brain: torch.Tensor,
             brain_rois: Optional[torch.Tensor],
             mix: Optional[Tuple[torch.Tensor, torch.Tensor]] = None
             ) -> Dict[str, torch.Tensor]:
        """
        Args:
            feats (Tensor): (N, C, H, W) or (N, C) image features.
            brain (Tensor): (N, d) global brain features q (of mixed inputs
                where ``mix`` is given).
            brain_rois (Tensor, optional): (N, R, d) ROI brain features q̄,
                not mixed; None from an encoder without them.
            mix (tuple, optional): (N,) partners π and weights β of the
                mixed inputs (:func:`mixco`), passed to the contrastive loss.

        Returns:
            dict: ``loss_contrastive``, ``loss_guidance`` (weighted), and the
            logged ``temperature`` and ``global_batch`` (the negatives seen).
        """
        if self.guidance_loss is not None and brain_rois is None:
            raise ValueError(
                'the brain encoder gives no ROI features q̄ for the guidance '
                'loss; set model.head.guidance_loss=None')
        img, img_rois, _ = self(feats)
        img, img_rois, brain, brain_rois = self.fuse(img, img_rois, brain,
                                                     brain_rois)
        losses = dict(loss_contrastive=self.contrastive_loss(
            img, brain, *(mix or ())))
        if self.guidance_loss is not None:
            losses['loss_guidance'] = self.guidance_loss(img_rois, brain_rois)
        losses['temperature'] = self.contrastive_loss.temperature
        losses['global_batch'] = torch.tensor(
            float(len(feats) * get_world_size()))
        return losses
