from collections import defaultdict
from typing import Dict, List, Sequence

import torch
from mmengine.evaluator import BaseMetric

from mmbrain.registry import METRICS


def topk_accuracy(sim: torch.Tensor, k: int) -> float:
    """Share of rows whose own column (the diagonal) is in their top k.

    Args:
        sim (Tensor): (n, n) similarities, query rows against candidates.
    """
    own = sim.diagonal()[:, None]
    rank = (sim > own).sum(1)  # candidates scoring strictly higher
    return (rank < k).float().mean().item()


@METRICS.register_module()
class BrainRetrievalMetric(BaseMetric):
    """Image <-> brain retrieval on held-out images.

    Within each subject, every image embedding ranks the brain embeddings of
    all that subject's held-out images (``i2b``), and every brain embedding
    ranks the images (``b2i``); top-k accuracies are averaged over the
    queries of all subjects. ``chance_topk`` is the accuracy of a random
    ranking, ``k / n`` per subject.

    The other side of the pairs is the samples' ``paired_key``: the brain
    embedding, or for the captions arm (:class:`CaptionContrastivePretrainer`)
    ``'text_embed'``, the caption's: image <-> caption retrieval, under the
    same names (``i2b`` is then image to caption) so that the arms' tables
    read one key.

    Args:
        topk (Sequence[int]): Defaults to (1, 5).
        paired_key (str): The samples' field paired with ``img_embed``.
            Defaults to ``'brain_embed'``.
    """
    default_prefix = 'retrieval'

    def __init__(self, topk: Sequence[int] = (1, 5),
                 paired_key: str = 'brain_embed', **kwargs):
        super().__init__(**kwargs)
        self.topk = tuple(topk)
        self.paired_key = paired_key

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            self.results.append(
                dict(
                    subject=sample['subject'],
                    img=sample['img_embed'].float().cpu(),
                    brain=sample[self.paired_key].float().cpu()))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        by_subject = defaultdict(list)
        for r in results:
            by_subject[r['subject']].append(r)
        totals, n_all = defaultdict(float), 0
        for rows in by_subject.values():
            img = torch.stack([r['img'] for r in rows])
            brain = torch.stack([r['brain'] for r in rows])
            sim, n = img @ brain.T, len(rows)
            for k in self.topk:
                totals[f'i2b_top{k}'] += topk_accuracy(sim, k) * n
                totals[f'b2i_top{k}'] += topk_accuracy(sim.T, k) * n
                totals[f'chance_top{k}'] += min(k, n)
            n_all += n
        return {key: 100 * value / n_all for key, value in totals.items()}
