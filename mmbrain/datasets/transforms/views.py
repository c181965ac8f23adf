from typing import List, Sequence, Union

from mmcv.transforms import BaseTransform

from mmbrain.registry import TRANSFORMS


@TRANSFORMS.register_module()
class AugmentedViews(BaseTransform):
    """Augmented views of the image for a self-supervised loss, beside the
    un-augmented image and the brain responses.

    The views are mmpretrain's ``MultiView`` of the image, which alone would
    return the views and drop every other key; here the results keep
    ``img`` as it was (the brain losses need the exact image the subject
    saw) and gain ``views``.

    Args:
        transforms (list[list[dict]]): One pipeline per kind of view, as
            ``MultiView`` takes them (mmpretrain transforms:
            ``'mmpretrain.RandomResizedCrop'``, ...).
        num_views (int | list[int]): Views of each kind, as ``MultiView``.

    Adds:
        views (list[np.ndarray]): The (H', W', 3) views, in pipeline order.
    """

    def __init__(self, transforms: List[List[dict]],
                 num_views: Union[int, Sequence[int]]):
        self.multi_view = TRANSFORMS.build(
            dict(type='mmpretrain.MultiView', transforms=transforms,
                 num_views=num_views))

    def transform(self, results: dict) -> dict:
        results['views'] = self.multi_view(dict(img=results['img']))['img']
        return results
