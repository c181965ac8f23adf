"""A user's mistake on one line: the errors that tools report without a
traceback, and the wrapper of their ``main``.

Every error that a user can fix (a missing or damaged file, a refused
checkpoint, a bad config value, a full disk) derives from
:class:`UserError` and says on its own what is wrong and where. A tool's
``main`` wrapped in :func:`report_user_errors` prints such an error as
``<tool>: error: <message>`` and exits with status 2, as argparse does for
a bad option; any other exception is a bug and keeps its traceback.
"""
import functools
import os.path as osp
import sys
from typing import Callable

# the exit status of a user's mistake (argparse's)
USER_ERROR_STATUS = 2


class UserError(Exception):
    """A mistake the user can fix; its message names the file or setting at
    fault and, where there is one, the fix."""


class ConfigError(UserError, ValueError):
    """A config value that cannot build what it configures, naming the key
    (``model.brain_encoder.num_heads``) and what it must be."""


def missing_file(error: OSError) -> str:
    """The one line of an OSError about a path: ``<path>: <reason>``."""
    return f'{error.filename}: {error.strerror}'


def report_user_errors(main: Callable) -> Callable:
    """Run a tool's ``main``, turning a :class:`UserError` (and an OSError
    that names a missing file, a folder or a permission) into one line on
    stderr and exit status 2."""

    @functools.wraps(main)
    def wrapped(*args, **kwargs):
        try:
            return main(*args, **kwargs)
        except UserError as e:
            message = str(e)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError,
                PermissionError) as e:
            if e.filename is None:
                raise
            message = missing_file(e)
        prog = osp.basename(sys.argv[0]) or 'mmbrain'
        sys.stderr.write(f'{prog}: error: {message}\n')
        sys.exit(USER_ERROR_STATUS)

    return wrapped


def check_heads(owner: str, embed_dims: int, num_heads: int):
    """Refuse attention whose ``num_heads`` does not divide ``embed_dims``.

    Raises:
        ConfigError: Naming ``owner`` (the class, or its config key) and
            both values.
    """
    if num_heads < 1 or embed_dims % num_heads:
        raise ConfigError(
            f'{owner}: num_heads={num_heads} must be a positive divisor of '
            f'the width {embed_dims} (each head attends over width / '
            'num_heads channels); change num_heads or the width in the '
            'config')
