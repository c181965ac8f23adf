"""``nsd_stimuli.hdf5``: the image brick, read one image at a time."""
import h5py
import numpy as np

from .layout import NSDFormatError, require_file


class NSDStimuli:
    """Lazy reader of the ``imgBrick`` dataset, (N, H, W, 3) uint8.

    The file is opened on first access in each process, so an instance can
    be handed to dataloader workers.

    Args:
        path (str): ``nsd_stimuli.hdf5``.
    """

    def __init__(self, path: str):
        self.path = require_file(path)
        self._file = None
        with h5py.File(path, 'r') as f:
            brick = self._brick(f)
            self.shape = brick.shape

    def _brick(self, f: h5py.File) -> h5py.Dataset:
        if 'imgBrick' not in f:
            raise NSDFormatError(self.path, "dataset 'imgBrick' is missing")
        brick = f['imgBrick']
        if brick.ndim != 4 or brick.shape[-1] != 3 or brick.dtype != np.uint8:
            raise NSDFormatError(
                self.path, "'imgBrick' must be (N, H, W, 3) uint8, got "
                f'{brick.shape} {brick.dtype}')
        return brick

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, nsd_id: int) -> np.ndarray:
        """(H, W, 3) uint8 RGB image of a 0-based nsdId."""
        if not 0 <= nsd_id < self.shape[0]:
            raise NSDFormatError(
                self.path, f'nsdId {nsd_id} is outside the image brick '
                f'(0..{self.shape[0] - 1})')
        if self._file is None:
            self._file = h5py.File(self.path, 'r')
        return self._file['imgBrick'][nsd_id]

    def __getstate__(self):
        return dict(self.__dict__, _file=None)
