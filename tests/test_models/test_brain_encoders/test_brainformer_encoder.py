import pytest
import torch

from mmbrain.models import LinearBrainEncoder
from mmbrain.structures import batch_brain
from mmbrain.testing import fake_brain_data, literal_brainformer
from mmbrain.utils.op_counter import OpCounter


@pytest.mark.parametrize('embed_type', ['voxel', 'pos'])
def test_vectorised_equals_literal_algorithm(embed_type, small_brainformer,
                                             brain_data):
    torch.manual_seed(0)
    enc = small_brainformer(
        num_levels=2, embed_type=embed_type, max_tokens=64).eval()
    with torch.no_grad():
        brain, rois = enc(**batch_brain(*brain_data))
        for n, (fmri, coords) in enumerate(zip(*brain_data)):
            ref_brain, ref_rois = literal_brainformer(enc, fmri, coords)
            torch.testing.assert_close(rois[n], ref_rois, atol=1e-5, rtol=0)
            torch.testing.assert_close(
                brain[n], ref_brain, atol=1e-5, rtol=0)
    assert brain.shape == (3, 32) and rois.shape == (3, 3, 32)


def test_outputs_do_not_change_with_padded_batch_mates(small_brainformer,
                                                       brain_data):
    torch.manual_seed(0)
    enc = small_brainformer().eval()
    fmri, coords = brain_data
    with torch.no_grad():
        alone = [enc(**batch_brain([f], [c])) for f, c in zip(fmri, coords)]
        together = enc(**batch_brain(fmri, coords))
        # a batch mate with far more voxels: more tokens, windows, levels
        long_fmri, long_coords = fake_brain_data([[400, 300, 200]], seed=1)
        with_long = enc(**batch_brain(fmri + long_fmri, coords + long_coords))
    for n in range(len(fmri)):
        for out in (together, with_long):
            torch.testing.assert_close(out[0][n], alone[n][0][0], atol=1e-5,
                                       rtol=0)
            torch.testing.assert_close(out[1][n], alone[n][1][0], atol=1e-5,
                                       rtol=0)


def test_padded_voxel_values_are_ignored(small_brainformer, brain_data):
    torch.manual_seed(0)
    enc = small_brainformer().eval()
    inputs = batch_brain(*brain_data)  # a row of coords per sample
    pads = [~m for m in inputs['mask']]
    noisy = dict(
        inputs,
        fmri=[f + 1e3 * p for f, p in zip(inputs['fmri'], pads)],
        coords=[c + 1e3 * p[..., None]
                for c, p in zip(inputs['coords'], pads)])
    with torch.no_grad():
        clean, noisy_out = enc(**inputs), enc(**noisy)
    torch.testing.assert_close(clean[0], noisy_out[0])


def test_every_parameter_gets_a_gradient(small_brainformer, brain_data):
    enc = small_brainformer()
    brain, rois = enc(**batch_brain(*brain_data))
    (brain.sum() + rois.sum()).backward()
    missing = [n for n, p in enc.named_parameters() if p.grad is None]
    assert not missing


def test_bad_configs(small_brainformer, brain_data):
    with pytest.raises(ValueError, match="embed_type must be 'voxel'"):
        small_brainformer(embed_type='sinusoid')
    with pytest.raises(ValueError, match='strides larger'):
        small_brainformer(window_size=4, window_stride=8)
    enc = small_brainformer(embed_type='pos', max_tokens=4)
    with pytest.raises(ValueError, match='exceed max_tokens 4'):
        enc(**batch_brain(*brain_data))
    inputs = batch_brain(*brain_data)
    inputs['coords'][1] = inputs['coords'][1][:, :-1]
    with pytest.raises(ValueError, match='coords must be as wide as fmri'):
        small_brainformer()(**inputs)


def test_linear_encoder(brain_data):
    enc = LinearBrainEncoder(num_voxels=[100, 40, 30], embed_dims=16)
    inputs = batch_brain(*brain_data)
    brain, rois = enc(**inputs)
    assert brain.shape == (3, 16) and rois.shape == (3, 3, 16)
    # padding is zeroed: a sample's ROI-0 feature is Linear of its voxels
    x = torch.zeros(100)
    x[:61] = brain_data[0][0][0]
    torch.testing.assert_close(rois[0, 0], enc.proj[0](x))
    with pytest.raises(ValueError, match=r'ROI 2 has 30 voxels, more than '
                       r'num_voxels\[2\] = 10; raise'):
        LinearBrainEncoder(num_voxels=[100, 40, 10])(**inputs)


# samples of three subjects (the first twice), each ROI of several windows,
# of one, or shorter than a kernel
MIXED = [[61, 9, 30], [23, 40, 5], [61, 9, 30], [100, 17, 12], [7, 3, 50]]


@pytest.mark.parametrize('embed_type', ['voxel', 'pos'])
def test_outputs_and_gradients_equal_literal_algorithm(embed_type,
                                                       small_brainformer):
    torch.manual_seed(0)
    enc = small_brainformer(embed_type=embed_type, max_tokens=64).double()
    fmri, coords = fake_brain_data(MIXED, seed=2)
    fmri = [[f.double() for f in s] for s in fmri]
    coords = [[c.double() for c in s] for s in coords]
    w_brain, w_rois = torch.randn(32, dtype=torch.double), torch.randn(
        3, 32, dtype=torch.double)

    def grads(loss):
        enc.zero_grad()
        loss.backward()
        return {n: p.grad.clone() for n, p in enc.named_parameters()
                if p.grad is not None}

    brain, rois = enc(**batch_brain(fmri, coords))
    packed = grads((brain @ w_brain).sum() + (rois * w_rois).sum())
    refs = [literal_brainformer(enc, f, c) for f, c in zip(fmri, coords)]
    for n, (ref_brain, ref_rois) in enumerate(refs):
        torch.testing.assert_close(brain[n], ref_brain, atol=1e-10, rtol=0)
        torch.testing.assert_close(rois[n], ref_rois, atol=1e-10, rtol=0)
    literal = grads(sum((b @ w_brain) + (r * w_rois).sum() for b, r in refs))
    assert packed.keys() == literal.keys()
    assert len(packed) == len(list(enc.parameters()))
    for name, grad in packed.items():
        torch.testing.assert_close(grad, literal[name], atol=1e-10,
                                   rtol=1e-8, msg=name)


def test_forward_makes_no_host_sync(small_brainformer):
    enc = small_brainformer()
    fmri, coords = fake_brain_data(MIXED)
    inputs = batch_brain(fmri, coords)
    assert inputs['lengths'] == tuple(
        tuple(len(s[k]) for s in fmri) for k in range(3))
    out = enc(**inputs)  # the plan is made (host) and cached
    with OpCounter() as ops:
        enc(**inputs)
        assert ops.syncs == 0 and ops.total > 100
        int(inputs['fmri'][0].max())  # the counter sees a sync
        assert ops.syncs == 1
    # without the host lengths they are read from the masks
    del inputs['lengths']
    assert all(torch.equal(a, b) for a, b in zip(enc(**inputs), out))


def test_coordinates_once_per_subject_equal_a_row_per_sample(
        small_brainformer):
    """Samples of one subject share a row of ``coords``; each token
    gathers its voxels' positions from its sample's row, so the outputs equal
    those of a row per sample, bit for bit."""
    torch.manual_seed(0)
    enc = small_brainformer().eval()
    fmri, coords = fake_brain_data(MIXED)
    coords[2] = coords[0]  # samples 0 and 2: one subject, 61/9/30 voxels
    shared = batch_brain(fmri, coords, [1, 2, 1, 3, 4])
    apart = batch_brain(fmri, coords)
    assert shared['rows'].tolist() == [0, 1, 0, 2, 3]
    assert [c.shape for c in shared['coords']] == [
        (4, 100, 3), (4, 40, 3), (4, 50, 3)]
    with torch.no_grad():
        for out, ref in zip(enc(**shared), enc(**apart)):
            assert torch.equal(out, ref)


def test_compiles_to_one_graph_equal_to_eager(small_brainformer):
    torch.manual_seed(0)
    enc = small_brainformer().eval()
    fmri, coords = fake_brain_data(MIXED)
    inputs = batch_brain(fmri, coords)
    args = (inputs['fmri'], inputs['coords'], inputs['rows'],
            enc.plan(inputs['lengths']))
    explained = torch._dynamo.explain(enc.forward_packed)(*args)
    assert explained.graph_break_count == 0 and explained.graph_count == 1
    compiled = torch.compile(enc.forward_packed, fullgraph=True)
    with torch.no_grad():
        for out, ref in zip(compiled(*args), enc.forward_packed(*args)):
            torch.testing.assert_close(out, ref, atol=1e-5, rtol=1e-5)
