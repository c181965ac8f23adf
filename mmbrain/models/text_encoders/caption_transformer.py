import torch
import torch.nn as nn

from mmbrain.registry import MODELS
from mmbrain.utils.user_errors import check_heads
from .base import BaseTextEncoder

# open_clip's SimpleTokenizer: 49408 byte-pair tokens, <end> = 49407
CLIP_VOCAB_SIZE = 49408


@MODELS.register_module()
class CaptionTransformer(BaseTextEncoder):
    """CLIP's text transformer, small and trained from scratch.

    Token embedding plus a learned position embedding, ``num_layers``
    pre-norm transformer layers with CLIP's causal mask (token t attends to
    tokens <= t, so the zero padding after ``<end>`` never reaches it), a
    final LayerNorm, and the feature at the ``<end>`` token (the largest id
    of each row, ``tokens.argmax(-1)``, as CLIP) projected to
    ``embed_dims``. Initialised as CLIP: embeddings N(0, 0.02) and N(0,
    0.01), the projection N(0, width^-1/2).

    Args:
        embed_dims (int): d of the output, the alignment space.
        width (int): Channels C of the transformer. Defaults to 512.
        num_layers (int): Defaults to 4.
        num_heads (int): Defaults to 8.
        context_length (int): The longest token sequence L (that of
            ``TokenizeCaption``). Defaults to 77.
        vocab_size (int): Defaults to CLIP's 49408.
        mlp_ratio (float): Hidden width of the MLPs over C. Defaults to 4.
        dropout (float): Defaults to 0.
        init_cfg (dict, optional): mmengine initialisation config.
    """

    def __init__(self,
                 embed_dims: int,
                 width: int = 512,
                 num_layers: int = 4,
                 num_heads: int = 8,
                 context_length: int = 77,
                 vocab_size: int = CLIP_VOCAB_SIZE,
                 mlp_ratio: float = 4.,
                 dropout: float = 0.,
                 init_cfg=None):
        super().__init__(embed_dims, init_cfg)
        check_heads('CaptionTransformer (model.text_encoder)', width,
                    num_heads)
        self.context_length = context_length
        self.token_embedding = nn.Embedding(vocab_size, width)
        self.positional_embedding = nn.Parameter(
            torch.empty(context_length, width))
        layer = nn.TransformerEncoderLayer(
            width, num_heads, dim_feedforward=int(mlp_ratio * width),
            dropout=dropout, activation='gelu', batch_first=True,
            norm_first=True)
        self.transformer = nn.TransformerEncoder(
            layer, num_layers, enable_nested_tensor=False)
        self.ln_final = nn.LayerNorm(width)
        self.projection = nn.Linear(width, embed_dims, bias=False)
        nn.init.normal_(self.token_embedding.weight, std=0.02)
        nn.init.normal_(self.positional_embedding, std=0.01)
        nn.init.normal_(self.projection.weight, std=width**-0.5)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """
        Args:
            tokens (Tensor): (N, L) long, ``[<start>, ..., <end>, 0, ...]``,
                L <= ``context_length``.

        Returns:
            Tensor: (N, d) the projected feature at each row's ``<end>``.
        """
        length = tokens.shape[1]
        if length > self.context_length:
            raise ValueError(f'{length} tokens, more than context_length '
                             f'{self.context_length}')
        x = self.token_embedding(tokens) + self.positional_embedding[:length]
        causal = nn.Transformer.generate_square_subsequent_mask(
            length, device=tokens.device, dtype=x.dtype)  # [L, L]
        x = self.transformer(x, mask=causal, is_causal=True)  # [N, L, C]
        x = self.ln_final(x)
        end = x[torch.arange(len(x), device=x.device), tokens.argmax(-1)]
        return self.projection(end)  # [N, d]
