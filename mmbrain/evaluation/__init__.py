from .headline import ENDPOINTS, TRANSFER_ENDPOINTS, headline_metrics
from .metrics import *  # noqa: F401,F403

__all__ = ['ENDPOINTS', 'TRANSFER_ENDPOINTS', 'headline_metrics']
