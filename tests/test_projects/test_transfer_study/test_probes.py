"""The frozen-feature probes against hand computation on tiny data."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from projects.transfer_study.transfer_study import probes


def test_scene_labels_agree_with_their_label_maps():
    scenes = probes.probe_scenes(20, 64, seed=3)
    assert scenes.images.shape == (20, 64, 64, 3)
    for quadrants, label_map in zip(scenes.quadrant, scenes.label_maps):
        cells = label_map.reshape(2, 32, 2, 32).transpose(0, 2, 1, 3)
        for cell, held in zip(cells.reshape(4, 32, 32), quadrants):
            # beyond sky and ground, inside the border a rounded outline
            # may cross by a pixel
            present = set(np.unique(cell[1:-1, 1:-1])) - {0, 1}
            name = probes.QUADRANT_CLASSES[held]
            assert present == (set() if name == 'none' else
                               {probes.PIXEL_CLASSES.index(name)})
    again = probes.probe_scenes(20, 64, seed=3)
    np.testing.assert_array_equal(again.quadrant, scenes.quadrant)


def test_majority_baselines_by_hand():
    scenes = probes.ProbeScenes(None, np.array([[0, 0, 1, 2], [0, 3, 2, 0]]),
                                None)
    # 4 of 8 empty; 4 of 8 filled; of the clocks (2) and stop signs (3):
    # 2 clocks, 1 stop sign
    assert probes.majority_baselines(scenes) == dict(
        quadrant_category=50.0, presence=50.0, clock_vs_stop_sign=66.67)


def test_quadrant_features_are_the_2x2_cells_row_major():
    first = torch.tensor([[[[1., 2.], [3., 4.]]]])  # (1, 1, 2, 2)
    second = torch.arange(16.).view(1, 1, 4, 4)  # pooled: 2.5 4.5 10.5 12.5
    x = probes.quadrant_features([first, second])
    np.testing.assert_allclose(
        x, [[1, 2.5], [2, 4.5], [3, 10.5], [4, 12.5]])
    pixels = probes.pixel_features([first], grid=2)
    np.testing.assert_allclose(pixels, [[[1], [2], [3], [4]]])


def test_probe_scores_by_hand():
    x = np.array([[0, 0], [0, 1], [5, 5], [5, 6]], float)
    y = np.array([0, 0, 1, 1])
    assert probes.linear_probe(x, y, x + 0.1, y) == 100.
    # cosine 1-NN: (1, 0.1) is nearest (1, 0); (0.1, 1) nearest (0, 1)
    train = np.array([[1, 0], [0, 1], [2, 0.1]], float)
    assert probes.knn_probe(train, np.array([0, 1, 0]),
                            np.array([[1, 0.1], [0.1, 1]]), np.array([0, 0]),
                            k=1) == 50.
    # class 0: 1 of 2 in the union; class 1: 2 of 3; class 2 absent
    assert probes.mean_iou(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1]),
                           3) == pytest.approx(100 * (1 / 2 + 2 / 3) / 2)


def test_a_backbone_that_sees_the_labels_beats_one_that_sees_noise():
    """Scenes painted by their label maps (class k at grey level 40 k): a
    'backbone' giving each class's share of every 8 x 8 cell carries every
    label, one giving noise none."""

    class Shares(torch.nn.Module):

        def forward(self, img):
            labels = (img[:, 0] / 40).round().long()
            one_hot = F.one_hot(labels, len(probes.PIXEL_CLASSES))
            return (F.adaptive_avg_pool2d(
                one_hot.permute(0, 3, 1, 2).float(), 8), )

    class Noise(torch.nn.Module):

        def forward(self, img):
            return (torch.randn(len(img), 3, 8, 8), )

    def painted(seed):
        scenes = probes.probe_scenes(150, 64, seed)
        grey = (scenes.label_maps * 40).astype(np.uint8)
        scenes.images = np.repeat(grey[..., None], 3, axis=3)
        return scenes

    args = (painted(1), painted(2), (0., ) * 3, (1., ) * 3)
    seen = probes.run_probes(Shares(), *args, grid=8)
    torch.manual_seed(0)
    blind = probes.run_probes(Noise(), *args, grid=8)
    assert list(seen) == list(probes.PROBES)
    for name in ('quadrant_category', 'presence', 'pixel_miou'):
        assert seen[name] > 90 and blind[name] < 70, (name, seen, blind)
