"""BaseBrainHead: the contract every head keeps, which the pretrainers
check when they are built."""
import pytest
import torch
import torch.nn as nn

from mmbrain.models import (BaseAlignHead, BaseBrainHead, BaseReadoutHead,
                            BrainAlignHead, BrainGuidedPretrainer,
                            CaptionContrastivePretrainer, CaptionTransformer,
                            LinearBrainEncoder, ResponseReadoutHead,
                            ResponseRegressionPretrainer)


def align_head(**kwargs):
    return BrainAlignHead(in_channels=8, embed_dims=16, num_rois=3, **kwargs)


def readout_head():
    return ResponseReadoutHead(in_channels=8, num_outputs=[5, 2, 4])


def test_every_head_keeps_its_contract():
    head = align_head(fusion=dict(type='CrossModalFusion', num_heads=2))
    assert isinstance(head, BaseAlignHead) and isinstance(head, BaseBrainHead)
    assert (head.num_rois, head.embed_dims) == (3, 16)
    assert head.guidance_loss is not None and head.fusion is not None
    assert head.contrastive_loss.temperature is not None
    p, p_rois, attn = head(torch.randn(2, 8, 3, 3))
    assert p.shape == (2, 16) and p_rois.shape == (2, 3, 16) and attn is None
    q, q_rois = torch.randn(2, 16), torch.randn(2, 3, 16)
    fused = head.fuse(p, p_rois, q, q_rois)
    assert [t.shape for t in fused] == [(2, 16), (2, 3, 16)] * 2
    # without a fusion block, fuse gives its inputs back
    plain = align_head(guidance_loss=None)
    assert plain.guidance_loss is None and plain.fusion is None
    assert all(a is b for a, b in zip(plain.fuse(p, p_rois, q, None),
                                      (p, p_rois, q, None)))

    readout = readout_head()
    assert isinstance(readout, BaseReadoutHead)
    assert isinstance(readout, BaseBrainHead) and readout.num_rois == 3
    preds = readout(torch.randn(2, 8, 3, 3))
    assert [p.shape for p in preds] == [(2, 5), (2, 2), (2, 4)]


def test_a_head_must_say_how_it_computes():
    class NoLoss(BaseAlignHead):

        def forward(self, feats):
            pass

    with pytest.raises(TypeError, match='abstract'):
        NoLoss(num_rois=3, embed_dims=8)
    with pytest.raises(TypeError, match='abstract'):
        BaseReadoutHead(num_rois=3)


def test_pretrainers_refuse_a_head_of_the_other_kind():
    backbone = nn.Conv2d(3, 8, 1)
    with pytest.raises(TypeError, match='ResponseReadoutHead is not an '
                       'alignment head: derive it from BaseAlignHead'):
        BrainGuidedPretrainer(backbone, LinearBrainEncoder([5, 2, 4], 16),
                              readout_head())
    with pytest.raises(TypeError, match='is not an alignment head'):
        CaptionContrastivePretrainer(
            backbone,
            CaptionTransformer(embed_dims=16, width=16, num_layers=1,
                               num_heads=2, context_length=8),
            readout_head())
    with pytest.raises(TypeError, match='BrainAlignHead is not a readout '
                       'head: derive it from BaseReadoutHead'):
        ResponseRegressionPretrainer(backbone, align_head())
