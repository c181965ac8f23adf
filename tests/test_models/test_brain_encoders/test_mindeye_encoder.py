import pytest
import torch

from mmbrain.models import MindEyeBrainEncoder, mixco
from mmbrain.structures import batch_brain

# brain_data's 3 samples, of subjects 1, 2, 1
SUBJECTS = torch.tensor([1, 2, 1])


def encoder(roi_tokens, **kwargs):
    torch.manual_seed(0)
    return MindEyeBrainEncoder(
        num_voxels=[100, 40, 30], subjects=[1, 2], latent_dims=24,
        embed_dims=16, num_blocks=2, roi_tokens=roi_tokens, **kwargs)


@pytest.mark.parametrize('roi_tokens', [False, True])
def test_shapes_and_first_step_by_hand(roi_tokens, brain_data):
    enc = encoder(roi_tokens).eval()
    inputs = batch_brain(*brain_data)
    brain, rois = enc(**inputs, subject=SUBJECTS)
    assert brain.shape == (3, 16)
    assert (rois is None) != roi_tokens
    if roi_tokens:
        assert rois.shape == (3, 3, 16)
    latent = enc.embed(inputs['fmri'], inputs['mask'], SUBJECTS)
    assert latent.shape == (3, 3 if roi_tokens else 1, 24)
    # sample 1 (subject 2, voxels 23/40/5): its map times its voxels,
    # zero in the columns past them
    x = torch.zeros(170)
    x[:23], x[100:140], x[140:145] = (brain_data[0][1][0],
                                      brain_data[0][1][1],
                                      brain_data[0][1][2])
    maps = enc.subject_maps['2']
    if roi_tokens:
        expected = torch.stack([maps[0](x[:100]), maps[1](x[100:140]),
                                maps[2](x[140:])])
    else:
        expected = maps[0](x)[None]
    torch.testing.assert_close(latent[1], expected)


@pytest.mark.parametrize('roi_tokens', [False, True])
def test_a_sample_does_not_depend_on_its_batch_mates(roi_tokens, brain_data):
    enc = encoder(roi_tokens).eval()
    fmri, coords = brain_data
    with torch.no_grad():
        together = enc(**batch_brain(fmri, coords), subject=SUBJECTS)
        for n in range(3):
            alone = enc(**batch_brain([fmri[n]], [coords[n]]),
                        subject=SUBJECTS[n:n + 1])
            torch.testing.assert_close(together[0][n], alone[0][0])
            if roi_tokens:
                torch.testing.assert_close(together[1][n], alone[1][0])


def test_mixing_the_latent_equals_mixing_the_voxels(brain_data):
    """The maps are linear: mixing two latents of one subject (samples 0
    and 2, subject 1) is mapping their mixed voxels, padded alike."""
    enc = encoder(True).eval()
    inputs = batch_brain(*brain_data)
    fmri, masks = inputs['fmri'], inputs['mask']
    pair = torch.tensor([0, 2])
    latent = enc.embed([f[pair] for f in fmri], [m[pair] for m in masks],
                       SUBJECTS[pair])
    torch.manual_seed(5)
    mixed, perm, beta = mixco(latent, alpha=0.4, prob=1.)
    assert perm.tolist() == [1, 0] and 0.3 < beta.min() < beta.max() < 1
    w = beta.view(2, 1)
    voxels = [(w * f[pair] * m[pair] + (1 - w) * (f[pair] * m[pair])[perm])
              for f, m in zip(fmri, masks)]
    ones = [torch.ones_like(m[pair]) for m in masks]
    torch.testing.assert_close(
        mixed, enc.embed(voxels, ones, SUBJECTS[pair]), atol=1e-5, rtol=0)


@pytest.mark.parametrize('roi_tokens', [False, True])
def test_every_parameter_gets_a_gradient(roi_tokens, brain_data):
    enc = encoder(roi_tokens)
    brain, rois = enc(**batch_brain(*brain_data), subject=SUBJECTS)
    (brain.square().sum() + (rois.square().sum() if roi_tokens else 0)
     ).backward()
    assert all(p.grad is not None and p.grad.any()
               for p in enc.parameters())


def test_bf16_autocast(brain_data):
    """Under autocast (tools/train.py --amp) the latent takes the maps'
    dtype, and equals the fp32 one within bf16 precision."""
    enc = encoder(True).eval()
    inputs = batch_brain(*brain_data)
    fmri, masks = inputs['fmri'], inputs['mask']
    with torch.autocast('cpu', dtype=torch.bfloat16):
        latent = enc.embed(fmri, masks, SUBJECTS)
        brain, rois = enc(**inputs, subject=SUBJECTS)
    assert latent.dtype == torch.bfloat16 and rois.shape == (3, 3, 16)
    torch.testing.assert_close(latent.float(), enc.embed(fmri, masks,
                                                         SUBJECTS),
                               atol=0.05, rtol=0.02)


def test_errors(brain_data):
    enc = encoder(False)
    inputs = batch_brain(*brain_data)
    with pytest.raises(KeyError, match=r'subject 3 has no map in '
                       r'MindEyeBrainEncoder \(it has \[1, 2\]\)'):
        enc(**inputs, subject=torch.tensor([1, 3, 1]))
    with pytest.raises(ValueError, match="needs each sample's subject"):
        enc(**inputs)
    with pytest.raises(ValueError, match=r'ROI 0 has 100 voxels, more than '
                       r'num_voxels\[0\] = 50'):
        MindEyeBrainEncoder([50, 40, 30], [1, 2], 8)(**inputs,
                                                      subject=SUBJECTS)
