from .backbone_init import initial_backbone, seeded_backbone
from .readout_fit import fit_readout

__all__ = ['fit_readout', 'initial_backbone', 'seeded_backbone']
