from .pooled_features import PooledFeatures
from .ridge import RidgeCV, neg_summed_sq_error

__all__ = ['PooledFeatures', 'RidgeCV', 'neg_summed_sq_error']
