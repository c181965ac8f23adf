import pytest
import torch
import torch.nn.functional as F

from mmbrain.models import ResponseReadoutHead, roi_balanced_mse


def test_each_sample_gets_its_subjects_readout():
    torch.manual_seed(0)
    head = ResponseReadoutHead(in_channels=3, num_outputs=[5, 2],
                               subjects=[2, 7], pool_size=2, embed_dims=4)
    feats = torch.randn(3, 3, 4, 4)
    subject = torch.tensor([7, 2, 7])
    preds = head(feats, subject)
    assert [p.shape for p in preds] == [(3, 5), (3, 2)]
    # by hand: 2x2 average pooling, the shared projection, then the map of
    # the sample's subject (subject 7 is readout 1)
    pooled = feats.view(3, 3, 2, 2, 2, 2).mean(dim=(3, 5)).flatten(1)
    x = head.proj(pooled)
    for k in range(2):
        for n, s in enumerate([1, 0, 1]):
            expected = x[n] @ head.weights[k][s] + head.biases[k][s]
            torch.testing.assert_close(preds[k][n], expected)
    torch.testing.assert_close(pooled, F.adaptive_avg_pool2d(
        feats, 2).flatten(1))


def test_one_readout_without_subjects():
    head = ResponseReadoutHead(in_channels=2, num_outputs=[3])
    feats = torch.randn(2, 2, 3, 3)
    assert head(feats)[0].shape == (2, 3)
    assert head.weights[0].shape == (1, 256, 3)


def test_unknown_subjects_and_too_many_targets_are_refused():
    head = ResponseReadoutHead(in_channels=2, num_outputs=[3],
                               subjects=[1, 2], embed_dims=4)
    feats = torch.randn(2, 2, 2, 2)
    for subject in ([1, 3], [1, 9]):
        with pytest.raises(ValueError, match=r'subjects \[1, \d\] in the '
                           r'batch but readouts only for \[1, 2\]'):
            head(feats, torch.tensor(subject))
    with pytest.raises(ValueError, match='need the samples\' subject'):
        head(feats)
    with pytest.raises(ValueError, match='group 0 has 4 targets, more '
                       r'than num_outputs\[0\] = 3'):
        head.loss(feats, [torch.zeros(2, 4)], subject=torch.tensor([1, 2]))


def test_loss_is_the_balanced_error_of_the_first_outputs():
    torch.manual_seed(0)
    head = ResponseReadoutHead(in_channels=2, num_outputs=[4, 3],
                               embed_dims=4)
    feats = torch.randn(3, 2, 2, 2)
    targets = [torch.randn(3, 2), torch.randn(3, 3)]
    masks = [torch.tensor([[True, True], [True, False], [True, True]]),
             torch.ones(3, 3, dtype=torch.bool)]
    preds = head(feats)
    expected = roi_balanced_mse([preds[0][:, :2], preds[1]], targets, masks)
    torch.testing.assert_close(head.loss(feats, targets, masks), expected)
