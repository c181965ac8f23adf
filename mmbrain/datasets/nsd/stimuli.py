"""``nsd_stimuli.hdf5``: the image brick, read one image at a time, and a
copy of it resized once for training."""
import mmcv
import numpy as np

from .hdf5 import open_hdf5, read, require_dataset
from .layout import NSDFormatError
from .mindeye2 import IMAGE_SIZE
from .atomic_hdf5 import AtomicHDF5, create_dataset


class NSDStimuli:
    """Lazy reader of an image brick: NSD's ``imgBrick``, (N, H, W, 3)
    uint8, or MindEye2's ``images`` (``coco_images_224_float16.hdf5``),
    (N, 3, 224, 224) float16 in [0, 1], given as uint8 (x 255, rounded).

    The file is opened on first access in each process, so an instance can
    be handed to dataloader workers.

    Args:
        path (str): ``nsd_stimuli.hdf5`` or ``coco_images_224_float16.hdf5``.
    """

    def __init__(self, path: str):
        self.path = path
        self._file = None
        with open_hdf5(path) as f:
            if 'images' in f and 'imgBrick' not in f:  # MindEye2's
                self.key = 'images'
                self.shape = require_dataset(
                    f, 'images', (None, 3, IMAGE_SIZE, IMAGE_SIZE),
                    np.float16).shape
            else:
                self.key = 'imgBrick'
                self.shape = require_dataset(
                    f, 'imgBrick', (None, None, None, 3), np.uint8).shape

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
        image = read(self._file[self.key], nsd_id)
        if self.key == 'imgBrick':
            return image
        return np.round(image.transpose(1, 2, 0).astype(np.float32) *
                        255).clip(0, 255).astype(np.uint8)

    def __getstate__(self):
        return dict(self.__dict__, _file=None)


def resize_stimuli(src: str, dst: str, size: int, block: int = 256) -> int:
    """Write ``dst``, the image brick ``src`` resized to (size, size).

    Pretraining has no augmentation, so each image is resized the same way
    at every epoch; resizing once here, with the ``Resize`` transform's own
    function (``mmcv.imresize``, bilinear, cv2), gives the pipeline the same
    pixels while its workers read 224x224 instead of 425x425 images. The
    file has the layout of ``nsd_stimuli.hdf5`` (``imgBrick``, (N, size,
    size, 3) uint8, one chunk per image, no compression) and appears only
    when complete.

    Args:
        src (str): ``nsd_stimuli.hdf5``.
        dst (str): The file to write.
        size (int): Height and width of the resized images.
        block (int): Images read and written at a time.

    Returns:
        int: The number of images.
    """
    stimuli = NSDStimuli(src)
    n = len(stimuli)
    writer = AtomicHDF5(dst)
    with writer as f:
        brick = create_dataset(
            f, 'imgBrick', shape=(n, size, size, 3), dtype=np.uint8,
            chunks=(1, size, size, 3))
        brick.attrs.update(source=src, size=size, interpolation='bilinear')
        with open_hdf5(src) as source:
            for start in range(0, n, block):
                images = source['imgBrick'][start:start + block]
                brick[start:start + len(images)] = np.stack([
                    mmcv.imresize(img, (size, size), interpolation='bilinear')
                    for img in images
                ])
                writer.check()
    return n
