from .headline import headline_metrics
from .metrics import *  # noqa: F401,F403

__all__ = ['headline_metrics']
