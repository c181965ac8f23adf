import pytest
import torch

from mmbrain.models import BrainformerEncoder, LinearBrainEncoder, pad_voxels
from mmbrain.models.brain_encoders.literal import literal_brainformer

SMALL = dict(
    num_rois=3,
    embed_dims=32,
    kernel_size=8,
    token_stride=4,
    window_size=4,
    window_stride=2,
    num_heads=4)
# voxel counts per sample and ROI: several windows, single windows, a
# sample shorter than one kernel
LENGTHS = [[61, 9, 30], [23, 40, 5], [100, 17, 12]]


def make_samples(seed=0):
    g = torch.Generator().manual_seed(seed)
    return [([torch.randn(v, generator=g) for v in lens],
             [torch.randn(v, 3, generator=g) * 40 for v in lens])
            for lens in LENGTHS]


def batch(samples):
    fmri, coords, masks = [], [], []
    for k in range(len(samples[0][0])):
        values, xyz, mask = pad_voxels([s[0][k] for s in samples],
                                       [s[1][k] for s in samples])
        fmri.append(values)
        coords.append(xyz)
        masks.append(mask)
    return fmri, coords, masks


@pytest.mark.parametrize('embed_type', ['voxel', 'pos'])
def test_vectorised_equals_literal_algorithm(embed_type):
    torch.manual_seed(0)
    enc = BrainformerEncoder(
        **SMALL, num_levels=2, embed_type=embed_type, max_tokens=64).eval()
    samples = make_samples()
    with torch.no_grad():
        brain, rois = enc(*batch(samples))
        for n, (fmri, coords) in enumerate(samples):
            ref_brain, ref_rois = literal_brainformer(enc, fmri, coords)
            torch.testing.assert_close(rois[n], ref_rois, atol=1e-5, rtol=0)
            torch.testing.assert_close(
                brain[n], ref_brain, atol=1e-5, rtol=0)
    assert brain.shape == (3, 32) and rois.shape == (3, 3, 32)


def test_outputs_do_not_change_with_padded_batch_mates():
    torch.manual_seed(0)
    enc = BrainformerEncoder(**SMALL).eval()
    samples = make_samples()
    with torch.no_grad():
        alone = [enc(*batch([s])) for s in samples]
        together = enc(*batch(samples))
        # a batch mate with far more voxels: more tokens, windows, levels
        long = ([torch.randn(400), torch.randn(300), torch.randn(200)],
                [torch.randn(400, 3), torch.randn(300, 3),
                 torch.randn(200, 3)])
        with_long = enc(*batch(samples + [long]))
    for n in range(len(samples)):
        for out in (together, with_long):
            torch.testing.assert_close(out[0][n], alone[n][0][0], atol=1e-5,
                                       rtol=0)
            torch.testing.assert_close(out[1][n], alone[n][1][0], atol=1e-5,
                                       rtol=0)


def test_padded_voxel_values_are_ignored():
    torch.manual_seed(0)
    enc = BrainformerEncoder(**SMALL).eval()
    fmri, coords, masks = batch(make_samples())
    noisy = [f + 1e3 * (~m) for f, m in zip(fmri, masks)]
    noisy_xyz = [c + 1e3 * (~m)[..., None] for c, m in zip(coords, masks)]
    with torch.no_grad():
        clean, noisy_out = enc(fmri, coords, masks), enc(
            noisy, noisy_xyz, masks)
    torch.testing.assert_close(clean[0], noisy_out[0])


def test_every_parameter_gets_a_gradient():
    enc = BrainformerEncoder(**SMALL)
    brain, rois = enc(*batch(make_samples()))
    (brain.sum() + rois.sum()).backward()
    missing = [n for n, p in enc.named_parameters() if p.grad is None]
    assert not missing


def test_bad_configs():
    with pytest.raises(ValueError, match="embed_type must be 'voxel'"):
        BrainformerEncoder(embed_type='sinusoid')
    with pytest.raises(ValueError, match='strides larger'):
        BrainformerEncoder(window_size=4, window_stride=8)
    enc = BrainformerEncoder(**SMALL, embed_type='pos', max_tokens=4)
    with pytest.raises(ValueError, match='exceed max_tokens 4'):
        enc(*batch(make_samples()))


def test_linear_encoder():
    enc = LinearBrainEncoder(num_voxels=[100, 40, 30], embed_dims=16)
    fmri, coords, masks = batch(make_samples())
    brain, rois = enc(fmri, coords, masks)
    assert brain.shape == (3, 16) and rois.shape == (3, 3, 16)
    # padding is zeroed: a sample's ROI-0 feature is Linear of its voxels
    x = torch.zeros(100)
    x[:61] = fmri[0][0, :61]
    torch.testing.assert_close(rois[0, 0], enc.proj[0](x))
    with pytest.raises(ValueError, match='ROI 2 has 30 voxels, more than num_voxels 10'):
        LinearBrainEncoder(num_voxels=[100, 40, 10])(fmri, coords, masks)
