from .headline import HEADLINE_KEYS, headline_metrics
from .metrics import *  # noqa: F401,F403

__all__ = ['HEADLINE_KEYS', 'headline_metrics']
