"""Studies built from the tools: the transfer study and its statistics."""
from .statistics import (PairedDifference, holm, minimum_detectable_effect,
                         paired_difference)

__all__ = [
    'PairedDifference', 'holm', 'minimum_detectable_effect',
    'paired_difference'
]
