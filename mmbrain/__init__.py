from . import compat  # noqa: F401  (patches the stack before anything else)
from .version import __version__

__all__ = ['__version__']
