from mmengine.structures import BaseDataElement


class BrainDataSample(BaseDataElement):
    """The brain side of one sample.

    Data fields (one entry per ROI group, in the order of ``rois``):
        fmri (list[np.ndarray]): (V_k,) float32 responses of ROI k.
        coords (list[np.ndarray]): (V_k, 3) float32 voxel positions in mm.
        features (list[np.ndarray], optional): (F_k,) float32 target
            vectors of the image: features that ROI k responds to
            (``LoadTargetVectors``), or one group of its multi-hot COCO
            categories (``LoadCocoLabels``).
        tokens (np.ndarray, optional): (L,) int64 tokens of one of the
            image's captions (the captions arm, which has no fmri/coords).

    Meta fields: ``subject`` (int), ``nsd_id`` (int, 0-based), ``rois``
    (tuple of ROI group names). V_k differs between subjects;
    :func:`batch_brain` pads a batch into tensors, with masks.
    """
