from .pooled_features import PooledFeatures
from .ridge import RidgeCV

__all__ = ['PooledFeatures', 'RidgeCV']
