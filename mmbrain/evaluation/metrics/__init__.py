from .retrieval import BrainRetrievalMetric, topk_accuracy

__all__ = ['BrainRetrievalMetric', 'topk_accuracy']
