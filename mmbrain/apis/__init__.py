from .backbone_init import initial_backbone, seeded_backbone
from .multilabel_probe import probe_multilabel
from .readout_fit import fit_readout

__all__ = [
    'fit_readout', 'initial_backbone', 'probe_multilabel', 'seeded_backbone'
]
