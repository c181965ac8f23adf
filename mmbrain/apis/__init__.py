from .backbone_init import initial_backbone, seeded_backbone
from .brain_similarity import (brain_similarity, rdm_similarity,
                               split_half_ceiling)
from .multilabel_probe import probe_multilabel
from .readout_fit import fit_readout
from .segmentation_probe import probe_segmentation

__all__ = [
    'brain_similarity', 'fit_readout', 'initial_backbone', 'probe_multilabel',
    'probe_segmentation', 'rdm_similarity', 'seeded_backbone',
    'split_half_ceiling'
]
