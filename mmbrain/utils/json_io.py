"""Results as json files: a tool's ``--out``, a study's tables."""
import json
import os
import os.path as osp


def read_json(path: str) -> dict:
    """The json object in ``path``."""
    with open(path) as f:
        return json.load(f)


def write_json(path: str, content, **kwargs):
    """``content`` as indented json in ``path``, its folder made first;
    ``kwargs`` go to :func:`json.dump`."""
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(content, f, indent=2, **kwargs)
