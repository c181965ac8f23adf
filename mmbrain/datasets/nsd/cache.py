"""The prepared cache, ``subjXX.h5``: its schema, writer and reader.

Both converters (raw NSD, :mod:`.prepare`; Algonauts, :mod:`.algonauts`)
write it through :class:`CacheWriter`, and everything else reads it through
:class:`BrainCache`::

    attrs: version, subject, rois (json), source, report (json),
           sources (json {file: [size, mtime_ns, digest]}, raw NSD only),
           hemisphere_vertices (json {hemi: vertices}, Algonauts only),
           volume_shape (3,) and affine (4, 4): the subject's NIfTI volume
           that ``ijk`` indexes (raw NSD only)
    nsd_ids       (N,)  int64    0-based, sorted
    shared1000    (N,)  bool     the held-out test images
    num_repeats   (N,)  int64    trials averaged per image (raw NSD only)
    half_rows     (N_h,) int64   rows of the test images shown 2 or more
                                 times, increasing (raw NSD only)
    image_files   (N,)  str      utf-8 image paths, fixed length
                                 (Algonauts only; NSD images come from the
                                 image brick)
    rois/<roi>/responses  (N, V) float32  mean z-scored response
    rois/<roi>/halves     (N_h, 2, V) float32  of image ``half_rows[i]``,
                                          the mean z-score of its 1st, 3rd,
                                          ... trials ([i, 0]) and of its
                                          2nd, 4th, ... ([i, 1]), in the
                                          order shown (raw NSD only)
    rois/<roi>/coords     (V, 3) float32  mm, voxel or vertex position
    rois/<roi>/ijk        (V, 3) int64    NIfTI voxel indices (raw NSD)
    rois/<roi>/vertex     (V,)   int64    challenge-space vertex (Algonauts)
    rois/<roi>/ncsnr      (V,)   float32  noise ceiling SNR, when NSD's
                                          ncsnr.nii.gz is beside the betas
    rois/<roi>/label      (V,)   int64    the voxel's label in its mask,
                                          named by the group's attribute
                                          label_names (json {label: name})

The halves are the split-half reliability of the test responses (a noise
ceiling of representational similarity, :mod:`mmbrain.apis.brain_similarity`);
only test images have them, so they add 2 N_h / N of ``responses``' size
(about 20% on NSD: 1,000 of 10,000 images). Algonauts caches have no trials,
so no ``half_rows`` and no halves.

``<roi>`` is the ROI as asked for: a mask, or a mask narrowed to labels
(``floc-faces:FFA-1,FFA-2``, see :func:`.layout.parse_roi`).

Every dataset has a fletcher32 checksum on each chunk, and the file's
metadata has checksums (:mod:`.atomic_hdf5`): HDF5 verifies them on every
read, and :meth:`BrainCache.verify` reads every chunk once.
"""
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import h5py
import numpy as np

from .atomic_hdf5 import AtomicHDF5, create_dataset
from .hdf5 import list_datasets, open_hdf5, read, require_dataset
from .layout import NSDFormatError

CACHE_VERSION = 5
# the end of every message about a damaged cache
REBUILD = 'rebuild it with tools/dataset_converters/prepare_nsd.py --force'


def cache_path(out_dir: str, subject: int) -> str:
    return osp.join(out_dir, f'subj{subject:02d}.h5')


def volume_attrs(shape: Sequence[int], affine: np.ndarray) -> Dict:
    """The cache attributes of the volume that ``ijk`` indexes: (X, Y, Z)
    and the (4, 4) affine."""
    return dict(volume_shape=np.asarray(shape, dtype=np.int64),
                affine=np.asarray(affine, dtype=np.float64))


def stored_version(path: str) -> Optional[int]:
    """The version a cache file was written with (None if it has none)."""
    with open_hdf5(path) as f:
        version = f.attrs.get('version')
    return None if version is None else int(version)


class CacheWriter:
    """Write a cache through :class:`~.atomic_hdf5.AtomicHDF5`: under a
    temporary name unique to the process, renamed to ``path`` only when the
    ``with`` block ends without error, so a cache exists only when
    complete. Call :meth:`check` between long writes to stop at the first
    write error. Every dataset gets fletcher32 checksums.

    Args:
        path (str): The ``subjXX.h5`` to write.
        nsd_ids (np.ndarray): (N,) sorted 0-based nsdIds, one per row.
        shared1000 (np.ndarray): (N,) bool, the test images.
        num_repeats (np.ndarray, optional): (N,) trials averaged per image.
        image_files (Sequence[str], optional): (N,) image paths.
        half_rows (np.ndarray, optional): (N_h,) increasing rows whose
            split halves :meth:`add_halves` stores (raw NSD: the test
            images shown 2 or more times).

    Raises:
        CacheWriteError: A write failed (checked at :meth:`check` and at the
            end of the block), naming ``path``.
    """

    def __init__(self,
                 path: str,
                 nsd_ids: np.ndarray,
                 shared1000: np.ndarray,
                 num_repeats: Optional[np.ndarray] = None,
                 image_files: Optional[Sequence[str]] = None,
                 half_rows: Optional[np.ndarray] = None):
        self.num_halves = None
        if half_rows is not None:
            half_rows = np.asarray(half_rows, np.int64)
            if len(half_rows) and (
                    (np.diff(half_rows) <= 0).any() or half_rows[0] < 0
                    or half_rows[-1] >= len(nsd_ids)):
                raise ValueError('half_rows must be increasing rows of the '
                                 f'{len(nsd_ids)} images')
            self.num_halves = len(half_rows)
        self.path = path
        os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
        self.out = AtomicHDF5(path)
        self.file = self.out.file
        self.finished = False
        self.num_images = len(nsd_ids)
        create_dataset(self.file, 'nsd_ids', np.asarray(nsd_ids, np.int64))
        create_dataset(self.file, 'shared1000', np.asarray(shared1000, bool))
        if num_repeats is not None:
            create_dataset(self.file, 'num_repeats',
                           np.asarray(num_repeats, np.int64))
        if half_rows is not None:
            create_dataset(self.file, 'half_rows', half_rows)
        if image_files is not None:  # fixed length: filters refuse vlen
            encoded = [name.encode() for name in image_files]
            create_dataset(
                self.file, 'image_files',
                np.array(encoded, dtype=h5py.string_dtype(
                    'utf-8', max([1, *map(len, encoded)]))))

    def check(self):
        """Raise :class:`~.atomic_hdf5.CacheWriteError` if a write failed."""
        self.out.check()

    def add_roi(self,
                roi: str,
                coords: np.ndarray,
                ijk: Optional[np.ndarray] = None,
                vertex: Optional[np.ndarray] = None,
                ncsnr: Optional[np.ndarray] = None,
                labels: Optional[np.ndarray] = None,
                label_names: Optional[Dict[int, str]] = None
                ) -> h5py.Dataset:
        """Write an ROI's voxels; returns its (N, V) float32 ``responses``
        dataset, chunked by row, for the caller to fill."""
        group = self.file.create_group(f'rois/{roi}')
        create_dataset(group, 'coords', np.asarray(coords, np.float32))
        for name, value, dtype in (('ijk', ijk, np.int64),
                                   ('vertex', vertex, np.int64),
                                   ('ncsnr', ncsnr, np.float32),
                                   ('label', labels, np.int64)):
            if value is not None:
                create_dataset(group, name, np.asarray(value, dtype=dtype))
        if labels is not None:
            group.attrs['label_names'] = json.dumps(
                {int(k): v for k, v in (label_names or {}).items()})
        num_voxels = len(coords)
        return create_dataset(
            group,
            'responses',
            shape=(self.num_images, num_voxels),
            dtype=np.float32,
            chunks=(1, num_voxels))

    def add_halves(self, roi: str) -> h5py.Dataset:
        """After :meth:`add_roi`: the ROI's (N_h, 2, V) float32 ``halves``
        dataset, chunked by image, for the caller to fill: of the image of
        row ``half_rows[i]``, ``[i, 0]`` the mean of its odd-numbered trials
        (1st, 3rd, ...) and ``[i, 1]`` of its even-numbered ones."""
        if self.num_halves is None:
            raise ValueError('CacheWriter was made without half_rows')
        num_voxels = len(self.file[f'rois/{roi}/coords'])
        return create_dataset(
            self.file[f'rois/{roi}'],
            'halves',
            shape=(self.num_halves, 2, num_voxels),
            dtype=np.float32,
            # h5py's guess for none: a chunk must not exceed the shape
            chunks=(1, 2, num_voxels) if self.num_halves else True)

    def finish(self,
               subject: int,
               rois: Sequence[str],
               source: str,
               report: Dict,
               sources: Optional[Dict] = None,
               volume: Optional[Tuple[Sequence[int], np.ndarray]] = None,
               hemispheres: Optional[Dict[str, int]] = None):
        """Set the attributes; call last, inside the ``with`` block.
        ``volume``: (X, Y, Z) and (4, 4) affine of the NIfTI space of
        ``ijk``; ``hemispheres``: the vertices of each hemisphere of the
        challenge space of ``vertex`` (Algonauts)."""
        if volume is not None:
            self.file.attrs.update(volume_attrs(*volume))
        if hemispheres is not None:
            self.file.attrs['hemisphere_vertices'] = json.dumps(hemispheres)
        self.file.attrs.update(
            version=CACHE_VERSION,
            subject=subject,
            rois=json.dumps(list(rois)),
            source=osp.abspath(source),
            report=json.dumps(report),
            sources=json.dumps(sources or {}))
        self.finished = True

    def __enter__(self) -> 'CacheWriter':
        return self

    def __exit__(self, exc_type, *_):
        if exc_type is None and self.finished:
            self.out.commit()
            return
        self.out.abort()
        self.out.check()  # a write error explains what failed after it
        if exc_type is None:
            raise RuntimeError(f'{self.path}: CacheWriter.finish was not '
                               'called, so the cache was not written')


class BrainCache:
    """Read a cache, checking its version, layout, checksums and ROIs on
    open. The chunks are checked as they are read (:meth:`verify` reads them
    all): a damaged one is an :class:`NSDFormatError` naming the file and
    the dataset.

    Args:
        path (str): The ``subjXX.h5``.
        rois (Sequence[str], optional): ROIs that must be present.

    Raises:
        NSDFormatError: Naming ``path``: missing, truncated, not a cache of
            this version, damaged metadata, a dataset without checksums, a
            missing group or a dataset of the wrong shape.
    """

    def __init__(self, path: str, rois: Optional[Sequence[str]] = None):
        self.path = path
        self.file = open_hdf5(path)
        try:
            self._check(rois or [])
        except BaseException:
            self.file.close()
            raise

    def _check(self, rois: Sequence[str]):
        f = self.file
        if f.attrs.get('version') != CACHE_VERSION:
            raise NSDFormatError(
                self.path, f'not an mmbrain cache of version {CACHE_VERSION}'
                f' (found {f.attrs.get("version")}); prepare it again with '
                'tools/dataset_converters/prepare_nsd.py (add --format '
                'algonauts for an Algonauts cache, --force to rebuild)')
        datasets = list_datasets(f, REBUILD)
        self.dataset_names: List[str] = sorted(datasets)
        bare = sorted(name for name, data in datasets.items()
                      if not data.fletcher32)
        if bare:
            raise NSDFormatError(
                self.path, f'{len(bare)} of its {len(self.dataset_names)} '
                f'datasets lack the checksums (fletcher32) that mmbrain '
                f'writes, {bare[0]!r} among them; {REBUILD}')
        self.rois: List[str] = json.loads(f.attrs['rois'])
        self.subject = int(f.attrs['subject'])
        self.report: Dict = json.loads(f.attrs['report'])
        self.sources: Dict = json.loads(f.attrs['sources'])
        self.source: str = f.attrs['source']
        self.hemisphere_vertices: Optional[Dict[str, int]] = (json.loads(
            f.attrs['hemisphere_vertices']) if 'hemisphere_vertices' in
                                                    f.attrs else None)
        self.nsd_ids = self._read(
            require_dataset(f, 'nsd_ids', (None, ), np.integer))
        n = len(self.nsd_ids)
        self.shared1000 = self._read(
            require_dataset(f, 'shared1000', (n, ), np.bool_))
        self.num_repeats = (self._read(
            require_dataset(f, 'num_repeats', (n, ), np.integer))
                            if 'num_repeats' in f else None)
        self.half_rows = None  # Algonauts: no trials
        if 'half_rows' in f:
            self.half_rows = self._read(
                require_dataset(f, 'half_rows', (None, ), np.integer))
            if len(self.half_rows) and (
                    (np.diff(self.half_rows) <= 0).any()
                    or self.half_rows[0] < 0 or self.half_rows[-1] >= n):
                raise NSDFormatError(
                    self.path, f'half_rows are not increasing rows of its {n}'
                    f' images; {REBUILD}')
        self.image_files = ([
            name.decode() for name in self._read(
                require_dataset(f, 'image_files', (n, ), np.bytes_))
        ] if 'image_files' in f else None)
        self.volume_shape = self.affine = None
        if 'affine' in f.attrs or 'volume_shape' in f.attrs:
            if not {'affine', 'volume_shape'} <= set(f.attrs):
                raise NSDFormatError(self.path, 'it has one of the attributes'
                                     ' affine and volume_shape, not both')
            self.volume_shape = tuple(int(s) for s in f.attrs['volume_shape'])
            self.affine = np.asarray(f.attrs['affine'], dtype=np.float64)
            if len(self.volume_shape) != 3 or self.affine.shape != (4, 4):
                raise NSDFormatError(
                    self.path, f'volume_shape {self.volume_shape} and affine '
                    f'of shape {self.affine.shape}; expected 3 sizes and a '
                    '4x4 matrix')
        missing = [r for r in rois if r not in self.rois]
        if missing:
            raise NSDFormatError(
                self.path, f'ROIs {missing} are absent; it holds '
                f'{self.rois}. Prepare it again with these --rois and --force')
        for roi in self.rois:
            coords = require_dataset(f, f'rois/{roi}/coords', (None, 3),
                                     np.floating)
            require_dataset(f, f'rois/{roi}/responses', (n, len(coords)),
                            np.float32)
            if self.half_rows is not None:
                require_dataset(f, f'rois/{roi}/halves',
                                (len(self.half_rows), 2, len(coords)),
                                np.float32)

    def _read(self, data: h5py.Dataset, selection=()) -> np.ndarray:
        return read(data, selection, REBUILD)

    def verify(self, block_mb: float = 64):
        """Read every chunk of every dataset, so that HDF5 checks its
        checksum: whole chunks at a time, about ``block_mb`` MiB at once.

        Raises:
            NSDFormatError: Naming the file and the first damaged dataset.
        """
        for name in self.dataset_names:
            data = self.file[name]
            row_bytes = data.dtype.itemsize * int(np.prod(data.shape[1:]))
            chunk_rows = data.chunks[0]
            rows = max(1, int(block_mb * 2**20) // max(
                1, row_bytes * chunk_rows)) * chunk_rows
            for start in range(0, len(data), rows):
                self._read(data, np.s_[start:start + rows])

    def responses(self, roi: str, rows=()) -> np.ndarray:
        """(V,) responses of one row, or (N', V) of a row selection."""
        return self._read(self.file[f'rois/{roi}/responses'], rows)

    def halves(self, roi: str, rows=()) -> Optional[np.ndarray]:
        """(N_h', 2, V) split halves of the images ``half_rows[rows]``
        (all by default): ``[:, 0]`` the mean of each image's odd-numbered
        trials, ``[:, 1]`` of its even-numbered ones; None for a cache
        without trials (Algonauts)."""
        if self.half_rows is None:
            return None
        return self._read(self.file[f'rois/{roi}/halves'], rows)

    def coords(self, roi: str) -> np.ndarray:
        """(V, 3) float32 positions in mm."""
        return self._read(self.file[f'rois/{roi}/coords'])

    def ijk(self, roi: str) -> np.ndarray:
        """(V, 3) int64 voxel indices in the volume of ``affine``."""
        key = f'rois/{roi}/ijk'
        if key not in self.file or self.affine is None:
            raise NSDFormatError(
                self.path, f'{roi} has no voxel indices in a volume (an '
                'Algonauts cache is on the surface)')
        ijk = self._read(require_dataset(
            self.file, key, (len(self.file[f'rois/{roi}/coords']), 3),
            np.integer))
        if ((ijk < 0) | (ijk >= self.volume_shape)).any():
            raise NSDFormatError(
                self.path, f'{key} lies outside the volume {self.volume_shape}')
        return ijk.astype(np.int64)

    def vertex(self, roi: str) -> np.ndarray:
        """(V,) challenge-space vertex of each of an ROI's columns
        (Algonauts)."""
        key = f'rois/{roi}/vertex'
        if key not in self.file:
            raise NSDFormatError(self.path, f'{roi} has no vertex indices '
                                 '(not an Algonauts cache)')
        return self._read(require_dataset(
            self.file, key, (len(self.file[f'rois/{roi}/coords']), ),
            np.integer))

    def areas(self, roi: str) -> np.ndarray:
        """(V,) the name of each voxel's label (its number where the mask
        has no label table).

        Raises:
            NSDFormatError: The cache stores no labels (an older cache).
        """
        key = f'rois/{roi}/label'
        if key not in self.file:
            raise NSDFormatError(
                self.path, f'{roi} has no voxel labels (a cache of an older '
                'mmbrain); prepare it again with --force')
        labels = self._read(require_dataset(
            self.file, key, (len(self.file[f'rois/{roi}/coords']), ),
            np.integer))
        names = {int(k): v for k, v in json.loads(
            self.file[f'rois/{roi}'].attrs.get('label_names', '{}')).items()}
        return np.array([names.get(int(n), str(n)) for n in labels])

    def ncsnr(self, roi: str) -> Optional[np.ndarray]:
        """(V,) noise ceiling SNR, or None when the cache has none."""
        key = f'rois/{roi}/ncsnr'
        return self._read(self.file[key]) if key in self.file else None

    def close(self):
        self.file.close()

    def __enter__(self) -> 'BrainCache':
        return self

    def __exit__(self, *_):
        self.close()
