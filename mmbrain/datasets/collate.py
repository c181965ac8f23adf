from typing import Sequence

from mmengine.dataset import default_collate

from mmbrain.registry import FUNCTIONS
from mmbrain.structures import batch_brain


@FUNCTIONS.register_module()
def brain_collate(data_batch: Sequence[dict]) -> dict:
    """mmengine's ``default_collate`` (images stacked), with the brain
    responses padded here, in the dataloader's workers.

    Each sample's ``fmri`` and ``coords`` leave its data sample for the
    batch's ``brain`` (:func:`mmbrain.structures.batch_brain`): the padded
    responses and masks, the coordinates once per subject with each
    sample's row of them, and the host voxel counts, tensors that a
    pinned-memory loader pins for a non-blocking copy. Samples without fMRI
    (the caption arm's) are collated as ``default_collate`` does.
    """
    samples = [d['data_samples'] for d in data_batch]
    brain = None
    if 'fmri' in samples[0]:
        brain = batch_brain([s.fmri for s in samples],
                            [s.coords for s in samples],
                            [s.metainfo.get('subject') for s in samples])
        for s in samples:
            del s.fmri, s.coords
    data = default_collate(data_batch)
    if brain is not None:
        data['brain'] = brain
    return data
