"""The transfer study: every arm and seed as tool calls, its statistics,
tables and plots."""
from .statistics import (PairedDifference, holm, minimum_detectable_effect,
                         paired_difference)

__all__ = [
    'PairedDifference', 'holm', 'minimum_detectable_effect',
    'paired_difference'
]
