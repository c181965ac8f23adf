import pytest

from mmbrain.evaluation import headline_metrics


def test_coco_and_ade_keys_in_percent():
    coco = {'coco/bbox_mAP': 0.412, 'coco/bbox_mAP_50': 0.63,
            'coco/bbox_mAP_75': 0.45, 'coco/segm_mAP': 0.381,
            'coco/bbox_mAP_s': 0.2}
    assert headline_metrics(coco) == pytest.approx(
        dict(APbox=41.2, AP50=63.0, AP75=45.0, APsegm=38.1))
    assert headline_metrics({'mIoU': 42.92, 'aAcc': 80.}) == dict(mIoU=42.92)
    assert headline_metrics({'pcc/mean_r': 0.5}) == {}
