from typing import Dict, Optional, Tuple

import torch
import torch.nn as nn
from mmengine.dist import get_world_size
from mmengine.model import BaseModule

from mmbrain.registry import MODELS


@MODELS.register_module()
class BrainAlignHead(BaseModule):
    """Projects pooled image features into the brain space; owns the losses.

    The global feature ``p = Linear(f)`` and, per ROI k, the local feature
    ``p̄^k = Linear_k(f)`` (one matmul for all ROIs), both of width d_r.

    Args:
        in_channels (int): Channels C of the pooled backbone feature.
        embed_dims (int): d_r of the brain encoder.
        num_rois (int): ROIs R.
        contrastive_loss (dict): Config of the contrastive loss.
        guidance_loss (dict, optional): Config of the guidance loss; None
            drops it (the paper's "without guidance loss" ablation).
    """

    def __init__(self,
                 in_channels: int,
                 embed_dims: int,
                 num_rois: int,
                 contrastive_loss: dict = dict(type='BrainContrastiveLoss'),
                 guidance_loss: Optional[dict] = dict(
                     type='BrainGuidanceLoss'),
                 init_cfg=None):
        super().__init__(init_cfg)
        self.num_rois = num_rois
        self.embed_dims = embed_dims
        self.global_proj = nn.Linear(in_channels, embed_dims)
        self.roi_proj = nn.Linear(in_channels, num_rois * embed_dims)
        self.contrastive_loss = MODELS.build(contrastive_loss)
        self.guidance_loss = (
            MODELS.build(guidance_loss) if guidance_loss else None)

    def forward(self,
                feats: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """(N, C) pooled features -> p (N, d) and p̄ (N, R, d)."""
        local = self.roi_proj(feats).view(-1, self.num_rois, self.embed_dims)
        return self.global_proj(feats), local

    def loss(self, feats: torch.Tensor, brain: torch.Tensor,
             brain_rois: torch.Tensor) -> Dict[str, torch.Tensor]:
        """
        Args:
            feats (Tensor): (N, C) pooled image features.
            brain (Tensor): (N, d) global brain features q.
            brain_rois (Tensor): (N, R, d) ROI brain features q̄.

        Returns:
            dict: ``loss_contrastive``, ``loss_guidance`` (weighted), and the
            logged ``temperature`` and ``global_batch`` (the negatives seen).
        """
        img, img_rois = self(feats)
        losses = dict(loss_contrastive=self.contrastive_loss(img, brain))
        if self.guidance_loss is not None:
            losses['loss_guidance'] = self.guidance_loss(img_rois, brain_rois)
        losses['temperature'] = self.contrastive_loss.temperature
        losses['global_batch'] = torch.tensor(
            float(len(feats) * get_world_size()))
        return losses
