from .pearson import (BrainEncodingMetric, encoding_scores, noise_ceiling,
                      noise_normalized_score, pearson_per_voxel)
from .retrieval import BrainRetrievalMetric, topk_accuracy

__all__ = [
    'BrainEncodingMetric', 'BrainRetrievalMetric', 'encoding_scores',
    'noise_ceiling', 'noise_normalized_score', 'pearson_per_voxel',
    'topk_accuracy'
]
