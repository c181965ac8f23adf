"""BaseBrainEncoder: the contract every brain encoder keeps."""
import pytest
import torch

from mmbrain.models import (BaseBrainEncoder, BrainformerEncoder,
                            LinearBrainEncoder, MindEyeBrainEncoder)
from mmbrain.structures import batch_brain
from mmbrain.testing import fake_brain_data

VOXELS = [40, 12, 25]


def padded_batch(num_samples=3):
    """The encoder's inputs (:func:`batch_brain`) and the samples'
    subjects."""
    fmri, coords = fake_brain_data(
        [[v - n for v in VOXELS] for n in range(num_samples)])
    return batch_brain(fmri, coords), torch.tensor([1, 2, 1][:num_samples])


@pytest.mark.parametrize('encoder,roi_features,shared', [
    (BrainformerEncoder(num_rois=3, embed_dims=16, kernel_size=8,
                        token_stride=4, window_size=4, window_stride=2,
                        num_heads=2), True, False),
    (LinearBrainEncoder(VOXELS, embed_dims=16), True, False),
    (MindEyeBrainEncoder(VOXELS, subjects=[1, 2], latent_dims=8,
                         embed_dims=16), False, True),
    (MindEyeBrainEncoder(VOXELS, subjects=[1, 2], latent_dims=8,
                         embed_dims=16, roi_tokens=True), True, True),
])
def test_every_encoder_keeps_the_contract(encoder, roi_features, shared):
    encoder.eval()  # no dropout: embed then decode must equal forward
    assert isinstance(encoder, BaseBrainEncoder)
    assert (encoder.num_rois, encoder.embed_dims) == (3, 16)
    assert encoder.roi_features is roi_features
    assert encoder.has_shared_latent is shared
    inputs, subject = padded_batch()
    q, rois = encoder(**inputs, subject=subject)
    assert q.shape == (3, 16)
    assert (rois is not None) is roi_features
    if roi_features:
        assert rois.shape == (3, 3, 16)
    if shared:
        latent = encoder.embed(inputs['fmri'], inputs['mask'], subject)
        torch.testing.assert_close(encoder.decode(latent)[0], q)
    else:
        with pytest.raises(NotImplementedError, match='no latent shared'):
            encoder.embed(inputs['fmri'], inputs['mask'], subject)


def test_an_encoder_must_say_how_it_encodes():
    class NoForward(BaseBrainEncoder):
        pass

    with pytest.raises(TypeError, match='abstract'):
        NoForward(num_rois=3, embed_dims=8)
