"""``nsd_stim_info_merged.csv``: nsdId <-> COCO id, split and sharing."""
import csv
from dataclasses import dataclass

import numpy as np

from .layout import NSDFormatError, require_file

REQUIRED_COLUMNS = ('nsdId', 'cocoId', 'cocoSplit', 'shared1000')


@dataclass
class StimInfo:
    """One row per NSD image, sorted by nsdId.

    Attributes:
        nsd_id (np.ndarray): (N,) int64, 0-based.
        coco_id (np.ndarray): (N,) int64 COCO image ids.
        coco_split (np.ndarray): (N,) str, ``train2017`` or ``val2017``.
        shared1000 (np.ndarray): (N,) bool, seen by all subjects.
    """
    nsd_id: np.ndarray
    coco_id: np.ndarray
    coco_split: np.ndarray
    shared1000: np.ndarray


def _parse_bool(value: str, path: str, line: int) -> bool:
    lowered = value.strip().lower()
    if lowered in ('true', '1'):
        return True
    if lowered in ('false', '0'):
        return False
    raise NSDFormatError(path, f'line {line}: shared1000 is {value!r}, '
                         'expected True/False')


def load_stim_info(path: str) -> StimInfo:
    """Read the stimulus table; rejects missing columns, non-integer ids and
    duplicated nsdIds."""
    require_file(path)
    with open(path, newline='') as f:
        reader = csv.DictReader(f)
        missing = [c for c in REQUIRED_COLUMNS
                   if c not in (reader.fieldnames or [])]
        if missing:
            raise NSDFormatError(path, f'missing columns {missing}')
        rows = []
        for line, row in enumerate(reader, start=2):
            try:
                nsd_id, coco_id = int(row['nsdId']), int(row['cocoId'])
            except ValueError:
                raise NSDFormatError(
                    path, f'line {line}: nsdId/cocoId are not integers '
                    f"({row['nsdId']!r}, {row['cocoId']!r})") from None
            rows.append((nsd_id, coco_id, row['cocoSplit'],
                         _parse_bool(row['shared1000'], path, line)))
    if not rows:
        raise NSDFormatError(path, 'no rows')
    rows.sort()
    nsd_id = np.array([r[0] for r in rows], dtype=np.int64)
    if len(np.unique(nsd_id)) != len(nsd_id):
        raise NSDFormatError(path, 'duplicated nsdId')
    return StimInfo(
        nsd_id=nsd_id,
        coco_id=np.array([r[1] for r in rows], dtype=np.int64),
        coco_split=np.array([r[2] for r in rows]),
        shared1000=np.array([r[3] for r in rows], dtype=bool))
