"""A literal, loop-by-loop reading of Algorithm 1 for one sample, with the
weights of a :class:`BrainformerEncoder`: the reference that the vectorised
encoder is checked against (tests) and timed against
(``tools/analysis_tools/benchmark_encoder.py``)."""
import math

import torch


def block_on_window(block, k, x):
    """One per-ROI transformer block on one unpadded window (L, d), with the
    attention written out."""
    h = block.norm1[k](x)
    q, key, v = block.qkv[k](h).chunk(3, dim=-1)
    heads = block.num_heads
    q, key, v = (t.view(len(x), heads, -1).transpose(0, 1)
                 for t in (q, key, v))  # (heads, L, d/heads)
    att = torch.softmax(q @ key.transpose(1, 2) / math.sqrt(q.shape[-1]), -1)
    out = (att @ v).transpose(0, 1).reshape(len(x), -1)
    x = x + block.proj[k](out)
    return x + block.mlp[k](block.norm2[k](x))


def literal_brainformer(enc, fmri, coords):
    """
    Args:
        enc (BrainformerEncoder): The weights.
        fmri (list[Tensor]): Per ROI, (V_k,) responses of one sample.
        coords (list[Tensor]): Per ROI, (V_k, 3).

    Returns:
        tuple: q (d,) and q̄ (R, d).
    """
    ks, ts = enc.kernel_size, enc.token_stride
    w, s = enc.window_size, enc.window_stride
    roi_feats = []
    for k, (m, xyz) in enumerate(zip(fmri, coords)):
        conv = enc.tokenizers[k]
        num_tokens = max(1, math.ceil((len(m) - ks) / ts) + 1)
        tokens = []
        for t in range(num_tokens):
            seg = m[t * ts:t * ts + ks]
            padded = m.new_zeros(ks)
            padded[:len(seg)] = seg
            token = conv.weight[:, 0] @ padded + conv.bias
            if enc.embed_type == 'voxel':
                mean_xyz = xyz[t * ts:t * ts + ks].mean(0)
                token = token + enc.voxel_embed(mean_xyz / enc.coord_scale)
            else:
                token = token + enc.pos_embed[k, t]
            tokens.append(token)
        seq = torch.stack(tokens)
        for block in enc.levels:
            count = max(1, math.ceil((len(seq) - w) / s) + 1)
            summaries = []
            for i in range(count):
                window = seq[i * s:i * s + w]
                summaries.append(block_on_window(block, k, window).mean(0))
            seq = torch.stack(summaries)
        roi_feats.append(block_on_window(enc.roi_block, k, seq).mean(0))
    roi_feats = torch.stack(roi_feats)
    brain = enc.norm(enc.cross_roi(roi_feats[None]).mean(1))[0]
    return brain, roi_feats
