"""Results as json files: a tool's ``--out``, a study's tables."""
import json

from .atomic_files import atomic_file
from .user_errors import UserError


class JSONFileError(UserError, ValueError):
    """A json file that does not parse (cut short, or not json)."""

    def __init__(self, path: str, error: json.JSONDecodeError):
        self.path = path
        self.problem = f'not valid json, truncated or damaged ({error})'
        super().__init__(f'{path}: {self.problem}')


def read_json(path: str):
    """The json content of ``path``.

    Raises:
        JSONFileError: It does not parse.
    """
    with open(path) as f:
        try:
            return json.load(f)
        except json.JSONDecodeError as e:
            raise JSONFileError(path, e) from None


def write_json(path: str, content, **kwargs):
    """``content`` as json in ``path`` (indented by 2 unless ``indent`` is
    given), written atomically (:func:`.atomic_files.atomic_file`), its
    folder made first; ``kwargs`` go to :func:`json.dump`."""
    kwargs.setdefault('indent', 2)
    with atomic_file(path) as f:
        json.dump(content, f, **kwargs)
