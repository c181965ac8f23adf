"""BiMixCo and SoftCLIP against hand computation; mixco's mixing."""
import math

import pytest
import torch

from mmbrain.models import (BiMixCoLoss, BrainContrastiveLoss, SoftCLIPLoss,
                            mixco)


def log_softmax(logits):
    norm = math.log(sum(math.exp(v) for v in logits))
    return [v - norm for v in logits]


IMG = torch.tensor([[1., 0], [0, 1]])
BRAIN = torch.tensor([[1., 0], [0.6, 0.8]])  # unit rows
S = [[2., 0.], [1.2, 1.6]]  # q_i·p_j / σ with σ = 0.5


def test_bimixco_by_hand():
    # row 0 mixed with row 1 at β 0.7, row 1 not mixed
    loss = BiMixCoLoss(temperature=0.5, loss_weight=1.)(
        IMG, BRAIN, torch.tensor([1, 0]), torch.tensor([0.7, 1.]))
    targets = [[0.7, 0.3], [0., 1.]]  # T_ij
    brain_to_img = -sum(
        t * ls for i in range(2)
        for t, ls in zip(targets[i], log_softmax(S[i]))) / 2
    img_to_brain = -sum(
        targets[i][j] * log_softmax([S[0][j], S[1][j]])[i]
        for j in range(2) for i in range(2)) / 2
    assert loss.item() == pytest.approx((brain_to_img + img_to_brain) / 2,
                                        rel=1e-6)


def test_bimixco_without_mix_is_half_the_contrastive_loss():
    torch.manual_seed(0)
    img, brain = torch.randn(5, 8), torch.randn(5, 8)
    plain = BrainContrastiveLoss(temperature=0.2, loss_weight=1.)(img, brain)
    mixed = BiMixCoLoss(temperature=0.2, loss_weight=1.)(img, brain)
    assert mixed.item() == pytest.approx(plain.item() / 2, rel=1e-6)


def test_softclip_by_hand():
    loss = SoftCLIPLoss(temperature=0.5, loss_weight=1.)(IMG, BRAIN)
    # p_i·p_j / σ = 2 I: the targets of row i
    targets = [[math.exp(2) / (math.exp(2) + 1), 1 / (math.exp(2) + 1)],
               [1 / (math.exp(2) + 1), math.exp(2) / (math.exp(2) + 1)]]
    brain_to_img = -sum(
        t * ls for i in range(2)
        for t, ls in zip(targets[i], log_softmax(S[i]))) / 2
    img_to_brain = -sum(
        t * ls for i in range(2)
        for t, ls in zip(targets[i], log_softmax([S[0][i], S[1][i]]))) / 2
    assert loss.item() == pytest.approx((brain_to_img + img_to_brain) / 2,
                                        rel=1e-6)


def test_softclip_targets_carry_no_gradient():
    torch.manual_seed(0)
    img = torch.randn(4, 6, requires_grad=True)
    brain = torch.randn(4, 6)
    loss = SoftCLIPLoss(loss_weight=1.)
    loss(img, brain).backward()
    expected = img.grad.clone()
    img.grad = None
    # the same loss with targets computed from a constant copy of img
    frozen = img.detach().clone()
    scale = loss.log_scale.exp()
    targets = (scale * torch.nn.functional.normalize(frozen, dim=-1) @
               torch.nn.functional.normalize(frozen, dim=-1).T).softmax(-1)
    p = torch.nn.functional.normalize(img, dim=-1)
    q = torch.nn.functional.normalize(brain, dim=-1)
    by_hand = (-(targets * (scale * q @ p.T).log_softmax(-1)).sum(-1).mean()
               - (targets * (scale * p @ q.T).log_softmax(-1)).sum(-1).mean()
               ) / 2
    by_hand.backward()
    torch.testing.assert_close(img.grad, expected)


def test_mixco_mixes_selected_rows_with_their_partner():
    torch.manual_seed(0)
    x = torch.randn(6, 3, 2)
    mixed, perm, beta = mixco(x, alpha=0.5, prob=1.)
    assert sorted(perm.tolist()) == list(range(6))
    assert ((beta > 0) & (beta < 1)).all()
    for i in range(6):
        torch.testing.assert_close(
            mixed[i], beta[i] * x[i] + (1 - beta[i]) * x[perm[i]])
    unmixed, _, ones = mixco(x, prob=0.)
    assert torch.equal(unmixed, x) and (ones == 1).all()


def test_bimixco_without_mix_can_be_softclip():
    torch.manual_seed(0)
    img, brain = torch.randn(5, 8), torch.randn(5, 8)
    soft = SoftCLIPLoss(temperature=0.2, loss_weight=1.)(img, brain)
    unmixed = BiMixCoLoss(
        temperature=0.2, loss_weight=1., unmixed_targets='softclip')
    assert unmixed(img, brain).item() == pytest.approx(soft.item(), rel=1e-6)
    # a mix still gets the mix's targets
    perm, beta = torch.tensor([1, 0, 2, 3, 4]), torch.tensor(
        [0.7, 1., 1., 1., 1.])
    identity = BiMixCoLoss(temperature=0.2, loss_weight=1.)
    assert unmixed(img, brain, perm, beta).item() == pytest.approx(
        identity(img, brain, perm, beta).item(), rel=1e-6)
    with pytest.raises(ValueError, match="'identity' or 'softclip'"):
        BiMixCoLoss(unmixed_targets='soft')
