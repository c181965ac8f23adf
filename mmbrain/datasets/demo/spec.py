"""The sizes of the demo NSD."""
from dataclasses import dataclass


@dataclass
class DemoSpec:
    """Sizes of the demo NSD. Each subject sees ``num_shared + num_own``
    images ``repeats`` times, over ``sessions`` sessions, drawn at
    ``image_size``; the ``num_downstream`` scenes NSD never shows (the
    downstream tasks' images, ``downstream_val`` of them for validation)
    are drawn at ``downstream_size``. ``noise`` scales the single-trial
    noise: the voxels' ncsnr, NSD's at 1
    (:mod:`~mmbrain.datasets.nsd.published_ncsnr`), is divided by it."""
    seed: int = 0
    num_subjects: int = 3
    num_shared: int = 50
    num_own: int = 250
    num_unseen: int = 20
    repeats: int = 3
    sessions: int = 3
    image_size: int = 96
    noise: float = 1.0
    num_downstream: int = 600
    downstream_val: float = 1 / 3
    downstream_size: int = 128

    @property
    def images_per_subject(self) -> int:
        return self.num_shared + self.num_own

    @property
    def num_images(self) -> int:
        return (self.num_shared + self.num_subjects * self.num_own +
                self.num_unseen)

    @property
    def trials_per_session(self) -> int:
        total = self.images_per_subject * self.repeats
        if total % self.sessions:
            raise ValueError(f'{total} trials do not split into '
                             f'{self.sessions} equal sessions')
        return total // self.sessions
