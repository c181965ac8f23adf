import os
import os.path as osp
from typing import Optional, Sequence

import numpy as np
from mmengine.dataset import BaseDataset

from mmbrain.registry import DATASETS, TRANSFORMS
from .nsd import (BrainCache, NSDCaptions, NSDStimuli, cache_path,
                  load_stim_info)
from .nsd.layout import prepare_command
from .nsd.layout import (ROI_GROUPS, NSDFormatError, check_rois,
                         check_subject)
from .nsd.layout import stim_info_path
from .nsd.layout import stimuli_path as raw_stimuli_path

# (path, size, mtime_ns) of the caches this process has verified
_VERIFIED = set()


def verify_once(cache: BrainCache):
    """:meth:`~.nsd.BrainCache.verify` an open cache, unless this process
    verified it already as it is (same path, size and modification time)."""
    stat = os.stat(cache.path)
    key = (osp.abspath(cache.path), stat.st_size, stat.st_mtime_ns)
    if key not in _VERIFIED:
        cache.verify()
        _VERIFIED.add(key)


@DATASETS.register_module()
class NSDBrainDataset(BaseDataset):
    """Natural Scenes Dataset images with the fMRI responses they evoked.

    One sample per (subject, image): the stimulus and, per ROI, the
    subject's response averaged over the image's repeats. It reads the raw
    NSD image brick and the cache that
    ``tools/dataset_converters/prepare_nsd.py`` writes::

        data_root/                           (the NSD download)
        ├── nsddata_stimuli/stimuli/nsd/nsd_stimuli.hdf5
        ├── nsddata/..., nsddata_betas/...   (read only by prepare_nsd.py)
        └── prepared/                        (cache_dir)
            ├── subj01.h5
            └── ...

    and, with ``captions_dir``, COCO's captions files (real NSD:
    ``data/coco/annotations``, so ``captions_dir='../coco/annotations'``;
    the demo NSD has them in ``coco/annotations``)::

        captions_dir/
        ├── captions_train2017.json
        └── captions_val2017.json

    The ``test`` split is the shared1000 images, ``train`` the rest. A data
    info holds ``img_path``, ``cache_path`` and ``cache_index`` (the row of
    the responses), ``nsd_id``, ``num_repeats`` (trials averaged in that
    row; None for Algonauts), ``subject`` and ``rois``, and with
    ``captions_dir`` the image's COCO ``captions`` (list of str, found by
    the stimulus table's cocoId and cocoSplit; :class:`~.nsd.NSDCaptions`);
    :meth:`ncsnr` gives the voxels' noise ceiling SNR, :meth:`areas` their
    labels' names. Only
    :class:`~.nsd.BrainCache` reads the cache; building the dataset reads
    every chunk of each subject's cache once per process
    (:func:`verify_once`), so that a damaged cache stops a training at its
    start, naming the file and the dataset.

    Args:
        data_root (str): The NSD download.
        subjects (Sequence[int]): Subjects 1..8 to include.
        rois (Sequence[str]): ROIs, in the order the model sees them: masks
            of the subject's ``roi/`` folder (``'nsdgeneral'``), optionally
            narrowed to some labels (``'floc-faces:FFA-1,FFA-2'``; see
            :func:`~.nsd.layout.parse_roi`), as the cache was prepared.
            Defaults to Brainformer's six ROI groups.
        split (str): ``'train'``, ``'test'`` or ``'all'``.
        cache_dir (str): The prepared cache, relative to ``data_root``.
            Defaults to ``'prepared'``.
        shuffle_responses (int, optional): A control: with a seed, each
            image gets the responses of another image of the same subject
            and split (a fixed random permutation), which breaks the
            image-brain pairing. Defaults to None (real pairs).
        stimuli (str, optional): An image brick to read instead of the raw
            ``nsd_stimuli.hdf5``, relative to ``data_root`` (or absolute):
            the copy resized once by ``tools/dataset_converters/
            resize_stimuli.py`` (e.g. ``'prepared/nsd_stimuli_224.hdf5'``),
            so that the workers read training-size images. Defaults to None
            (the raw brick).
        captions_dir (str, optional): The folder of COCO's
            ``captions_{train,val}2017.json``, relative to ``data_root``
            (or absolute); each sample then carries its image's captions,
            for ``LoadCaption``. Defaults to None (no captions).
        pipeline (list): Transforms; see ``LoadNSDImage``,
            ``LoadBrainResponses``, ``LoadCaption``, ``PackBrainInputs``.

    Example:
        >>> dataset = NSDBrainDataset(
        ...     data_root='data/nsd', subjects=[1, 2], split='train',
        ...     pipeline=[dict(type='LoadNSDImage'),
        ...               dict(type='LoadBrainResponses'),
        ...               dict(type='PackBrainInputs')])
    """
    SPLITS = ('train', 'test', 'all')

    def __init__(self,
                 data_root: str,
                 subjects: Sequence[int],
                 rois: Sequence[str] = ROI_GROUPS,
                 split: str = 'train',
                 cache_dir: str = 'prepared',
                 shuffle_responses: Optional[int] = None,
                 stimuli: Optional[str] = None,
                 captions_dir: Optional[str] = None,
                 **kwargs):
        if split not in self.SPLITS:
            raise ValueError(f'split must be one of {self.SPLITS}, got '
                             f'{split!r}')
        if not subjects:
            raise ValueError('subjects must name at least one subject')
        self.subjects = [check_subject(s) for s in subjects]
        self.rois = check_rois(rois)
        self.split = split
        self.cache_dir = cache_dir
        self.shuffle_responses = shuffle_responses
        self.stimuli = stimuli
        self.captions_dir = captions_dir
        # build transforms from mmbrain's registry, whatever the scope
        kwargs['pipeline'] = [
            TRANSFORMS.build(t) if isinstance(t, dict) else t
            for t in kwargs.get('pipeline', [])
        ]
        super().__init__(
            data_root=data_root,
            metainfo=dict(rois=self.rois, subjects=tuple(self.subjects)),
            **kwargs)

    def cache_file(self, subject: int) -> str:
        """The prepared cache of a subject."""
        return cache_path(osp.join(self.data_root, self.cache_dir), subject)

    def ncsnr(self, subject: int) -> Optional[list]:
        """Per ROI (V_k,) noise ceiling SNR of a subject's voxels, or None
        when its cache has none (Algonauts, or no ``ncsnr.nii.gz``)."""
        with BrainCache(self.cache_file(subject), self.rois) as cache:
            values = [cache.ncsnr(roi) for roi in self.rois]
        return None if any(v is None for v in values) else values

    def areas(self, subject: int) -> list:
        """Per ROI (V_k,) the name of each voxel's area (its label in the
        mask, e.g. ``'FFA-1'``), for results per area."""
        with BrainCache(self.cache_file(subject), self.rois) as cache:
            return [cache.areas(roi) for roi in self.rois]

    def _missing_cache(self, subject: int) -> str:
        """What to do about a subject without a cache: the command that
        makes it from the raw files here, or where they are missing."""
        out_dir = osp.join(self.data_root, self.cache_dir)
        try:
            command = prepare_command(self.data_root, subject, out_dir)
        except NSDFormatError as e:
            return (f'no prepared cache for subject {subject}, and no raw NSD'
                    f' betas to prepare it from ({e}); see tools/'
                    'dataset_converters/prepare_nsd.py --help for NSD and '
                    'Algonauts data')
        return f'no prepared cache for subject {subject}; run {command}'

    def captions(self) -> Optional[NSDCaptions]:
        """The reader of the images' captions, or None without
        ``captions_dir``."""
        if self.captions_dir is None:
            return None
        return NSDCaptions(
            osp.join(self.data_root, self.captions_dir),
            load_stim_info(stim_info_path(self.data_root)))

    def load_data_list(self) -> list:
        brick_file = raw_stimuli_path(self.data_root) if self.stimuli is None \
            else osp.join(self.data_root, self.stimuli)
        if self.stimuli is not None and not osp.exists(brick_file):
            raise NSDFormatError(
                brick_file, 'no such image brick (stimuli=); write it with '
                f'tools/dataset_converters/resize_stimuli.py {self.data_root}'
                ' --size <pixels>')
        captions = self.captions()
        brick_size = None
        data_list = []
        for subject in self.subjects:
            path = self.cache_file(subject)
            if not osp.exists(path):
                raise NSDFormatError(path, self._missing_cache(subject))
            with BrainCache(path, self.rois) as cache:
                verify_once(cache)
                nsd_ids, test = cache.nsd_ids, cache.shared1000
                repeats = cache.num_repeats
                # Algonauts caches name their image files; NSD ones use
                # the image brick
                files = cache.image_files
            if files is None:
                if brick_size is None:
                    brick_size = len(NSDStimuli(brick_file))
                if nsd_ids.max() >= brick_size:
                    raise NSDFormatError(
                        brick_file, f'nsdId {int(nsd_ids.max())} of subject '
                        f'{subject} is outside the image brick of '
                        f'{brick_size} images')
            keep = {'train': ~test, 'test': test, 'all': np.ones_like(test)}
            indices = np.flatnonzero(keep[self.split])
            responses = indices
            if self.shuffle_responses is not None:
                rng = np.random.default_rng([self.shuffle_responses, subject])
                responses = rng.permutation(indices)
            for index, response in zip(indices, responses):
                data_list.append(
                    dict(
                        img_path=brick_file if files is None else
                        files[index],
                        cache_path=path,
                        cache_index=int(response),
                        nsd_id=int(nsd_ids[index]),
                        num_repeats=None
                        if repeats is None else int(repeats[response]),
                        subject=subject,
                        rois=self.rois))
                if captions is not None:
                    data_list[-1]['captions'] = captions[int(nsd_ids[index])]
        return data_list
