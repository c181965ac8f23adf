import math
import socket

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from mmbrain.models import (BiMixCoLoss, BrainContrastiveLoss,
                            BrainGuidanceLoss, SoftCLIPLoss,
                            brain_guidance_loss, roi_batch_guidance_loss)


def log_softmax_at(logits, i):
    return logits[i] - math.log(sum(math.exp(v) for v in logits))


def test_contrastive_by_hand():
    img = torch.tensor([[1., 0], [0, 1]])
    brain = torch.tensor([[1., 0], [0.6, 0.8]])  # already unit length
    loss = BrainContrastiveLoss(temperature=0.5, loss_weight=1.)(img, brain)
    s = 2.  # 1 / temperature
    i2b = [[s * 1, s * 0.6], [s * 0, s * 0.8]]
    b2i = [[s * 1, s * 0], [s * 0.6, s * 0.8]]
    expected = (-(log_softmax_at(i2b[0], 0) + log_softmax_at(i2b[1], 1)) / 2
                - (log_softmax_at(b2i[0], 0) + log_softmax_at(b2i[1], 1)) /
                2)
    assert loss.item() == pytest.approx(expected, rel=1e-6)


def test_contrastive_weight_and_normalisation():
    img, brain = torch.randn(4, 8), torch.randn(4, 8)
    full = BrainContrastiveLoss(loss_weight=1.)(img, brain)
    half = BrainContrastiveLoss(loss_weight=0.5)(3 * img, brain)
    assert half.item() == pytest.approx(full.item() / 2, rel=1e-5)


def test_temperature_is_learned():
    loss_fn = BrainContrastiveLoss(temperature=0.07)
    opt = torch.optim.SGD(loss_fn.parameters(), lr=0.5)
    before = loss_fn.temperature.item()
    torch.manual_seed(0)
    img = torch.randn(8, 4)
    loss_fn(img, img + 0.1 * torch.randn(8, 4)).backward()
    assert loss_fn.log_scale.grad.abs() > 0
    opt.step()
    assert loss_fn.temperature.item() != pytest.approx(before)
    assert before == pytest.approx(0.07)
    frozen = BrainContrastiveLoss(learnable=False)
    assert not frozen.log_scale.requires_grad


def test_guidance_by_hand():
    img_rois = torch.tensor([[[1., 0], [0, 1]]])  # (N=1, R=2, d=2)
    brain_rois = torch.tensor([[[2., 0], [1, 1]]])
    loss = brain_guidance_loss(img_rois, brain_rois, temperature=1.)
    # ROI 0 logits [2, 1] -> target 0; ROI 1 logits [0, 1] -> target 1
    expected = -(log_softmax_at([2, 1], 0) + log_softmax_at([0, 1], 1))
    assert loss.item() == pytest.approx(expected, rel=1e-6)
    module = BrainGuidanceLoss(temperature=1., normalize=False,
                               loss_weight=0.5)
    assert module(img_rois, brain_rois).item() == pytest.approx(
        expected / 2, rel=1e-6)


def test_guidance_batch_negatives_by_hand():
    # N=2 samples, R=2 ROIs, d=2; unit vectors, tau = 1
    img = torch.tensor([[[1., 0], [0, 1]], [[0, 1], [1, 0]]])
    brain = torch.tensor([[[1., 0], [1, 0]], [[0.6, 0.8], [0, 1]]])
    loss = roi_batch_guidance_loss(img, brain, img, brain)
    # ROI k, sample i: logits over samples j of img[i, k] . brain[j, k]
    expected = 0.
    for k in range(2):
        for i in range(2):
            i2b = [float(img[i, k] @ brain[j, k]) for j in range(2)]
            b2i = [float(brain[i, k] @ img[j, k]) for j in range(2)]
            expected -= log_softmax_at(i2b, i) + log_softmax_at(b2i, i)
    assert loss.item() == pytest.approx(expected / 2, rel=1e-6)

    both = roi_batch_guidance_loss(img, brain, img, brain, cross_roi=True)
    expected = 0.
    for k in range(2):
        for i in range(2):  # candidates (j, g) in the order j * R + g
            i2b = [float(img[i, k] @ brain[j, g]) for j in range(2)
                   for g in range(2)]
            b2i = [float(brain[i, k] @ img[j, g]) for j in range(2)
                   for g in range(2)]
            expected -= (log_softmax_at(i2b, 2 * i + k) +
                         log_softmax_at(b2i, 2 * i + k))
    assert both.item() == pytest.approx(expected / 2, rel=1e-6)


def test_guidance_needs_the_image_only_with_batch_negatives():
    """One constant vector per ROI, the same for every image, solves the
    paper's loss but cannot go below log N per ROI with batch negatives."""
    n, r, d = 8, 3, 16
    torch.manual_seed(0)
    brain = torch.randn(n, r, d) * 0.1 + torch.eye(r, d) * 5
    constant = torch.eye(r, d).expand(n, r, d)  # ignores the image
    paper = BrainGuidanceLoss(negatives='rois', loss_weight=1.)
    batch = BrainGuidanceLoss(negatives='batch', loss_weight=1.)
    assert paper(constant, brain).item() < 1e-3
    # image->brain direction alone: >= log N per ROI for a constant query
    assert batch(constant, brain).item() > r * math.log(n)
    matched = batch(brain, brain).item()  # image features that carry q̄
    assert matched < batch(constant, brain).item()
    with pytest.raises(ValueError, match='negatives'):
        BrainGuidanceLoss(negatives='other')


def test_guidance_averages_over_samples():
    torch.manual_seed(0)
    a, b = torch.randn(3, 4, 5), torch.randn(3, 4, 5)
    per_sample = [brain_guidance_loss(a[i:i + 1], b[i:i + 1]) for i in
                  range(3)]
    assert brain_guidance_loss(a, b).item() == pytest.approx(
        sum(per_sample).item() / 3, rel=1e-5)


DDP_LOSSES = {
    'contrastive': (lambda: BrainContrastiveLoss(temperature=0.1,
                                                 loss_weight=1.), (8, 6)),
    'guidance-batch': (lambda: BrainGuidanceLoss(negatives='batch',
                                                 loss_weight=1.), (8, 3, 6)),
    'guidance-batch+rois': (lambda: BrainGuidanceLoss(
        negatives='batch+rois', loss_weight=1.), (8, 3, 6)),
    'softclip': (lambda: SoftCLIPLoss(loss_weight=1.), (8, 6)),
    'bimixco': (lambda: blockwise_mix(BiMixCoLoss(loss_weight=1.)), (8, 6)),
}


def blockwise_mix(loss, block=4):
    """``loss(img, brain, perm, beta)`` with each row mixed with the next
    one of its block of 4, by a β that depends on its place in the block:
    the same global mix on 1 process of 8 rows or 2 ranks of 4."""

    def call(img, brain):
        place = torch.arange(len(img)) % block
        perm = torch.arange(len(img)) - place + (place + 1) % block
        return loss(img, brain, perm, 0.4 + 0.2 * place.float())

    return call


def _rank_loss(rank, world, port, name, img, brain, out):
    dist.init_process_group(
        'gloo', init_method=f'tcp://127.0.0.1:{port}', rank=rank,
        world_size=world)
    n = len(img) // world
    local_img = img[rank * n:(rank + 1) * n].clone().requires_grad_()
    local_brain = brain[rank * n:(rank + 1) * n].clone().requires_grad_()
    loss = DDP_LOSSES[name][0]()(local_img, local_brain)
    loss.backward()
    torch.save(dict(loss=loss.detach(), grad=local_img.grad), out[rank])
    dist.destroy_process_group()


@pytest.mark.parametrize('name', sorted(DDP_LOSSES))
def test_ddp_uses_negatives_of_all_ranks(name, tmp_path):
    torch.manual_seed(0)
    build, shape = DDP_LOSSES[name]
    img, brain = torch.randn(shape), torch.randn(shape)
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    out = [str(tmp_path / f'rank{r}.pt') for r in range(2)]
    mp.spawn(_rank_loss, args=(2, port, name, img, brain, out), nprocs=2)
    ranks = [torch.load(p) for p in out]

    full_img = img.clone().requires_grad_()
    full = build()(full_img, brain)
    (2 * full).backward()  # the ranks' losses sum to 2x the global mean
    assert (ranks[0]['loss'] + ranks[1]['loss']).item() / 2 == pytest.approx(
        full.item(), rel=1e-5)
    torch.testing.assert_close(
        torch.cat([r['grad'] for r in ranks]), full_img.grad)
