import pytest
import torch

from mmbrain.evaluation import BrainRetrievalMetric, topk_accuracy


def test_topk_by_hand():
    sim = torch.tensor([[0.9, 0.1, 0.5], [0.8, 0.2, 0.1], [0.0, 0.3, 0.2]])
    # own scores 0.9 (rank 0), 0.2 (rank 1), 0.2 (rank 1)
    assert topk_accuracy(sim, 1) == pytest.approx(1 / 3)
    assert topk_accuracy(sim, 2) == pytest.approx(1.)


def test_metric_groups_by_subject():
    metric = BrainRetrievalMetric(topk=(1, 2))
    eye = torch.eye(3)
    samples = [
        dict(subject=1, img_embed=eye[i], brain_embed=eye[i])
        for i in range(3)
    ] + [
        # subject 2: brains reversed -> no image finds its own at top 1
        dict(subject=2, img_embed=eye[i], brain_embed=eye[2 - i])
        for i in range(3)
    ]
    metric.process(None, samples)
    result = metric.compute_metrics(metric.results)
    # subject 1: 3/3 at top 1; subject 2: only the middle image (own = 1,
    # self-similar) is right
    assert result['i2b_top1'] == pytest.approx(100 * 4 / 6)
    assert result['chance_top1'] == pytest.approx(100 / 3)
    assert result['chance_top2'] == pytest.approx(200 / 3)


def test_paired_key_ranks_another_embedding():
    """With ``paired_key='text_embed'`` the captions' embeddings are ranked
    in place of the brains', under the same names."""
    metric = BrainRetrievalMetric(topk=(1, ), paired_key='text_embed')
    eye = torch.eye(3)
    metric.process(None, [
        dict(subject=1, img_embed=eye[i], text_embed=eye[(i + 1) % 3])
        for i in range(3)
    ])
    result = metric.compute_metrics(metric.results)
    assert result['i2b_top1'] == 0 and result['b2i_top1'] == 0
