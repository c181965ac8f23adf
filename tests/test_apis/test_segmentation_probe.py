"""mmbrain.apis.segmentation_probe: cell labels, grid features and mIoU
against hand computation, and the probe on the demo's ADE20K."""
import json
import sys

import pytest
import torch

from mmbrain.apis.segmentation_probe import (IGNORE, cell_labels,
                                             grid_features, iou_counts,
                                             mean_iou, sampled_miou)


def test_cell_labels_are_the_centre_pixels():
    labels = torch.arange(16).view(1, 4, 4)
    # 2 x 2 cells of 2 x 2 pixels: centres at rows and columns 1 and 3
    assert cell_labels(labels, (2, 2)).tolist() == [[[5, 7], [13, 15]]]


def test_grid_features_concatenate_the_resized_stages():
    stages = [torch.ones(2, 3, 8, 8), torch.full((2, 5, 2, 2), 2.)]
    feats = grid_features(stages, (4, 4))
    assert feats.shape == (2, 8, 4, 4)
    assert (feats[:, :3] == 1).all() and (feats[:, 3:] == 2).all()


def test_miou_by_hand():
    # 2 x 2 logits of 3 classes, upsampled to the 4 x 4 labels: each
    # predicted class covers a 2 x 2 block
    pred = torch.tensor([[0, 1], [2, 2]])
    logits = torch.nn.functional.one_hot(pred, 3).permute(2, 0, 1)[None]
    labels = torch.tensor([[[0, 0, 1, 1], [0, 0, 1, 0], [2, 2, 2, 2],
                            [IGNORE, IGNORE, 2, 2]]])
    counts = iou_counts(logits.float() * 10, labels, 3)
    # class 0: intersect 4, union 4 + 1 (the pixel labelled 0 in the
    # block predicted 1); class 1: 3 / 4; class 2: 6 / 6 (ignored pixels
    # count in neither)
    assert counts.tolist() == [[4, 3, 6], [5, 4, 6]]
    assert mean_iou(counts) == pytest.approx(100 * (4 / 5 + 3 / 4 + 1) / 3)
    # a class in neither prediction nor labels is not averaged
    assert mean_iou(torch.tensor([[1., 0], [2, 0]])) == pytest.approx(50)


def test_sampled_miou_scores_cells():
    logits = torch.tensor([[5., 0], [0, 5], [5, 0]])
    assert sampled_miou(logits, torch.tensor([0, 1, 1])) == pytest.approx(
        100 * (1 / 2 + 1 / 2) / 2)


def test_the_probe_of_a_random_backbone_on_the_demo_ade20k(
        run_tool, small_demo_nsd, tmp_path):
    ade = f'{small_demo_nsd}/ade20k'
    out = tmp_path / 'seg.json'
    run_tool([
        sys.executable, 'tools/analysis_tools/probe_segmentation.py',
        'configs/probes/demo/ade20k-linear_convnext_demo.py', '--out',
        str(out), '--corruptions', 'fog', '--cfg-options',
        f'train_dataloader.dataset.data_root={ade}',
        f'test_dataloader.dataset.data_root={ade}',
        'corruption.severities=[1,5]'
    ], tmp_path)
    metrics = json.loads(out.read_text())
    assert set(metrics) == {'segmentation/mIoU', 'segmentation/mPC',
                            'segmentation/rPC', 'segmentation/weight_decay',
                            'conditions'}
    assert set(metrics['conditions']) == {'fog/1', 'fog/5'}
    assert 0 < metrics['segmentation/mIoU'] <= 100
    fog = [metrics['conditions'][f'fog/{s}']['linear'] for s in (1, 5)]
    assert metrics['segmentation/mPC'] == pytest.approx(sum(fog) / 2)
