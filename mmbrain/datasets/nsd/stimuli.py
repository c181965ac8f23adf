"""``nsd_stimuli.hdf5``: the image brick, read one image at a time."""
import numpy as np

from .hdf5 import open_hdf5, read, require_dataset
from .layout import NSDFormatError


class NSDStimuli:
    """Lazy reader of the ``imgBrick`` dataset, (N, H, W, 3) uint8.

    The file is opened on first access in each process, so an instance can
    be handed to dataloader workers.

    Args:
        path (str): ``nsd_stimuli.hdf5``.
    """

    def __init__(self, path: str):
        self.path = path
        self._file = None
        with open_hdf5(path) as f:
            self.shape = require_dataset(f, 'imgBrick', (None, None, None, 3),
                                         np.uint8).shape

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, nsd_id: int) -> np.ndarray:
        """(H, W, 3) uint8 RGB image of a 0-based nsdId."""
        if not 0 <= nsd_id < self.shape[0]:
            raise NSDFormatError(
                self.path, f'nsdId {nsd_id} is outside the image brick '
                f'(0..{self.shape[0] - 1})')
        if self._file is None:
            self._file = open_hdf5(self.path)
        return read(self._file['imgBrick'], nsd_id)

    def __getstate__(self):
        return dict(self.__dict__, _file=None)
