from .timm_feature_backbone import TimmFeatureBackbone

__all__ = ['TimmFeatureBackbone']
