"""CaptionTransformer: shapes, pooling at <end> by hand, CLIP's causal
mask."""
import pytest
import torch

from mmbrain.models import BaseTextEncoder, CaptionTransformer
from mmbrain.registry import MODELS

END = 49407


def tiny(**kwargs):
    torch.manual_seed(0)
    model = CaptionTransformer(**{**dict(embed_dims=6, width=8, num_layers=2,
                                         num_heads=2, context_length=7),
                                  **kwargs})
    return model.eval()


def tokens():
    """Two captions: <end> at positions 3 and 5 of 7, zero padding."""
    return torch.tensor([[49406, 320, 736, END, 0, 0, 0],
                         [49406, 320, 736, 1691, 2292, END, 0]])


def test_shapes_and_registry():
    model = MODELS.build(dict(type='CaptionTransformer', embed_dims=6,
                              width=8, num_layers=1, num_heads=2,
                              context_length=7))
    assert isinstance(model, BaseTextEncoder) and model.embed_dims == 6
    assert model(tokens()).shape == (2, 6)
    assert model(tokens()[:, :6]).shape == (2, 6)  # shorter than the context
    with pytest.raises(ValueError, match='8 tokens, more than context_length'
                       ' 7'):
        model(torch.zeros(1, 8, dtype=torch.long))


def test_feature_is_the_projected_end_token_by_hand():
    model = tiny()
    x = tokens()
    with torch.no_grad():
        h = model.token_embedding(x) + model.positional_embedding
        mask = torch.triu(torch.full((7, 7), float('-inf')), diagonal=1)
        for layer in model.transformer.layers:  # pre-norm blocks
            a = layer.norm1(h)
            h = h + layer.self_attn(a, a, a, attn_mask=mask,
                                    need_weights=False)[0]
            h = h + layer.linear2(
                torch.nn.functional.gelu(layer.linear1(layer.norm2(h))))
        h = model.ln_final(h)
        expected = torch.stack([h[0, 3], h[1, 5]]) @ model.projection.weight.T
        torch.testing.assert_close(model(x), expected)


def test_causal_mask_ignores_what_follows_the_end_token():
    model = tiny()
    x = tokens()
    changed = x.clone()
    changed[0, 4:] = torch.tensor([5, 6, 7])  # after <end> of caption 0
    changed[1, 1] = 999  # before <end> of caption 1
    with torch.no_grad():
        a, b = model(x), model(changed)
    torch.testing.assert_close(a[0], b[0])
    assert not torch.allclose(a[1], b[1])
