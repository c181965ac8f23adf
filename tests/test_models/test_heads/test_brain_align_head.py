import pytest
import torch
import torch.nn.functional as F

from mmbrain.models import BrainAlignHead, RoiAttentionPool


def test_attention_pool_shapes_and_uniform_start():
    torch.manual_seed(0)
    pool = RoiAttentionPool(in_channels=8, num_rois=3, key_dims=4)
    feats = torch.randn(2, 8, 5, 6)
    pooled, attn = pool(feats)
    assert pooled.shape == (2, 3, 8) and attn.shape == (2, 3, 5, 6)
    torch.testing.assert_close(attn.sum(dim=(2, 3)), torch.ones(2, 3))
    with torch.no_grad():
        pool.query.zero_()  # no preference: global average pooling
    pooled, attn = pool(feats)
    tokens = F.layer_norm(feats.flatten(2).transpose(1, 2), (8, ),
                          pool.norm.weight, pool.norm.bias)
    torch.testing.assert_close(attn, torch.full_like(attn, 1 / 30))
    torch.testing.assert_close(pooled,
                               tokens.mean(1, keepdim=True).expand(2, 3, 8))


def test_attention_pool_finds_where_its_key_points():
    pool = RoiAttentionPool(in_channels=2, num_rois=2, key_dims=2)
    with torch.no_grad():
        pool.key.weight.copy_(torch.eye(2) * 20)
        pool.key.bias.zero_()
        pool.query.copy_(torch.eye(2))
    feats = torch.zeros(1, 2, 4, 4)
    feats[0, 0, 1, 2] = 5.  # channel 0 peaks at (1, 2)
    feats[0, 1, 3, 0] = 5.  # channel 1 at (3, 0)
    _, attn = pool(feats)
    assert attn[0, 0].argmax() == 1 * 4 + 2
    assert attn[0, 1].argmax() == 3 * 4 + 0
    assert attn[0, 0, 1, 2] > 0.9 and attn[0, 1, 3, 0] > 0.9


def test_global_pooling_is_one_linear_per_roi():
    torch.manual_seed(0)
    head = BrainAlignHead(in_channels=8, embed_dims=4, num_rois=3)
    feats = torch.randn(2, 8, 3, 3)
    p, local, attn = head(feats)
    pooled = feats.mean(dim=(2, 3))
    assert attn is None and local.shape == (2, 3, 4)
    torch.testing.assert_close(p, head.global_proj(pooled))
    for k in range(3):
        rows = slice(4 * k, 4 * k + 4)
        torch.testing.assert_close(
            local[:, k], F.linear(pooled, head.roi_proj.weight[rows],
                                  head.roi_proj.bias[rows]))
    # a backbone that pools itself gives (N, C)
    torch.testing.assert_close(head(pooled)[1], local)


def test_attention_pooling_projects_each_roi_with_its_own_linear():
    torch.manual_seed(0)
    head = BrainAlignHead(
        in_channels=8, embed_dims=4, num_rois=3, roi_pooling='attention')
    feats = torch.randn(2, 8, 3, 5)
    p, local, attn = head(feats)
    assert attn.shape == (2, 3, 3, 5)
    roi_feats, _ = head.roi_pool(feats)
    for k in range(3):
        rows = slice(4 * k, 4 * k + 4)
        torch.testing.assert_close(
            local[:, k], F.linear(roi_feats[:, k], head.roi_proj.weight[rows],
                                  head.roi_proj.bias[rows]))
    torch.testing.assert_close(p, head.global_proj(feats.mean(dim=(2, 3))))
    with pytest.raises(ValueError, match=r'\(N, C, H, W\)'):
        head(feats.mean(dim=(2, 3)))
    with pytest.raises(ValueError, match='roi_pooling'):
        BrainAlignHead(8, 4, 3, roi_pooling='max')


@pytest.mark.parametrize('cross_modal', [False, True])
def test_fusion_keeps_the_image_side_apart_unless_cross_modal(cross_modal):
    """Within each modality, p and p̄ depend on the image alone (the same
    with any brain features); across them, the brain tokens leak in."""
    from mmbrain.models import CrossModalFusion
    torch.manual_seed(0)
    fusion = CrossModalFusion(embed_dims=8, num_heads=2,
                              cross_modal=cross_modal)
    img = torch.randn(2, 4, 8)
    fused_img, fused_brain = fusion(img, torch.randn(2, 4, 8))
    other_img, _ = fusion(img, torch.randn(2, 4, 8))
    assert fused_img.shape == fused_brain.shape == (2, 4, 8)
    assert torch.allclose(fused_img, other_img) != cross_modal
    # torch's inference fast path (eval, no grad) gives the same tokens
    brain = torch.randn(2, 4, 8)
    trained = fusion(img, brain)
    with torch.no_grad():
        inferred = fusion.eval()(img, brain)
    for a, b in zip(trained, inferred):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=0)


def test_head_fuses_before_the_losses():
    torch.manual_seed(0)
    head = BrainAlignHead(
        in_channels=8, embed_dims=8, num_rois=3,
        fusion=dict(type='CrossModalFusion', num_heads=2))
    feats, brain, rois = (torch.randn(4, 8, 3, 3), torch.randn(4, 8),
                          torch.randn(4, 3, 8))
    losses = head.loss(feats, brain, rois)
    (losses['loss_contrastive'] + losses['loss_guidance']).backward()
    assert all(p.grad is not None and p.grad.any()
               for p in head.fusion.parameters())
    img, img_rois, _ = head(feats)
    fused = head.fuse(img, img_rois, brain, rois)
    expected = head.contrastive_loss(fused[0], fused[2])
    torch.testing.assert_close(losses['loss_contrastive'], expected)
    with pytest.raises(ValueError, match='needs the brain encoder.s ROI'):
        head.fuse(img, img_rois, brain, None)


def test_guidance_needs_roi_features():
    head = BrainAlignHead(in_channels=8, embed_dims=8, num_rois=3)
    with pytest.raises(ValueError, match='gives no ROI features'):
        head.loss(torch.randn(4, 8, 3, 3), torch.randn(4, 8), None)
