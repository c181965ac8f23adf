import pytest
import torch

from mmbrain.models import LinearBrainEncoder
from mmbrain.structures import pad_rois
from mmbrain.models.brain_encoders.literal import literal_brainformer
from mmbrain.testing import fake_brain_data
from mmbrain.utils.op_counter import OpCounter


@pytest.mark.parametrize('embed_type', ['voxel', 'pos'])
def test_vectorised_equals_literal_algorithm(embed_type, small_brainformer,
                                             brain_data):
    torch.manual_seed(0)
    enc = small_brainformer(
        num_levels=2, embed_type=embed_type, max_tokens=64).eval()
    with torch.no_grad():
        brain, rois = enc(*pad_rois(*brain_data))
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
        alone = [enc(*pad_rois([f], [c])) for f, c in zip(fmri, coords)]
        together = enc(*pad_rois(fmri, coords))
        # a batch mate with far more voxels: more tokens, windows, levels
        long_fmri, long_coords = fake_brain_data([[400, 300, 200]], seed=1)
        with_long = enc(*pad_rois(fmri + long_fmri, coords + long_coords))
    for n in range(len(fmri)):
        for out in (together, with_long):
            torch.testing.assert_close(out[0][n], alone[n][0][0], atol=1e-5,
                                       rtol=0)
            torch.testing.assert_close(out[1][n], alone[n][1][0], atol=1e-5,
                                       rtol=0)


def test_padded_voxel_values_are_ignored(small_brainformer, brain_data):
    torch.manual_seed(0)
    enc = small_brainformer().eval()
    fmri, coords, masks = pad_rois(*brain_data)
    noisy = [f + 1e3 * (~m) for f, m in zip(fmri, masks)]
    noisy_xyz = [c + 1e3 * (~m)[..., None] for c, m in zip(coords, masks)]
    with torch.no_grad():
        clean, noisy_out = enc(fmri, coords, masks), enc(
            noisy, noisy_xyz, masks)
    torch.testing.assert_close(clean[0], noisy_out[0])


def test_every_parameter_gets_a_gradient(small_brainformer, brain_data):
    enc = small_brainformer()
    brain, rois = enc(*pad_rois(*brain_data))
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
        enc(*pad_rois(*brain_data))


def test_linear_encoder(brain_data):
    enc = LinearBrainEncoder(num_voxels=[100, 40, 30], embed_dims=16)
    fmri, coords, masks = pad_rois(*brain_data)
    brain, rois = enc(fmri, coords, masks)
    assert brain.shape == (3, 16) and rois.shape == (3, 3, 16)
    # padding is zeroed: a sample's ROI-0 feature is Linear of its voxels
    x = torch.zeros(100)
    x[:61] = fmri[0][0, :61]
    torch.testing.assert_close(rois[0, 0], enc.proj[0](x))
    with pytest.raises(ValueError, match=r'ROI 2 has 30 voxels, more than '
                       r'num_voxels\[2\] = 10; raise'):
        LinearBrainEncoder(num_voxels=[100, 40, 10])(fmri, coords, masks)


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

    brain, rois = enc(*pad_rois(fmri, coords))
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
    lengths = tuple(tuple(len(s[k]) for s in fmri) for k in range(3))
    inputs = pad_rois(fmri, coords)
    enc(*inputs, lengths=lengths)  # the plan is made (host) and cached
    with OpCounter() as ops:
        enc(*inputs, lengths=lengths)
        assert ops.syncs == 0 and ops.total > 100
        int(inputs[0][0].max())  # the counter sees a sync when there is one
        assert ops.syncs == 1


def test_compiles_to_one_graph_equal_to_eager(small_brainformer):
    torch.manual_seed(0)
    enc = small_brainformer().eval()
    fmri, coords = fake_brain_data(MIXED)
    values, xyz, _ = pad_rois(fmri, coords)
    plan = enc.plan(tuple(tuple(len(s[k]) for s in fmri) for k in range(3)))
    explained = torch._dynamo.explain(enc.forward_packed)(values, xyz, plan)
    assert explained.graph_break_count == 0 and explained.graph_count == 1
    compiled = torch.compile(enc.forward_packed, fullgraph=True)
    with torch.no_grad():
        for out, ref in zip(compiled(values, xyz, plan),
                            enc.forward_packed(values, xyz, plan)):
            torch.testing.assert_close(out, ref, atol=1e-5, rtol=1e-5)
