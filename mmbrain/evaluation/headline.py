from typing import Dict

# the figures papers report, from the keys mmdet's CocoMetric (fractions)
# and mmseg's IoUMetric (percent) return
HEADLINE_KEYS = {
    'APbox': ('coco/bbox_mAP', 100),
    'AP50': ('coco/bbox_mAP_50', 100),
    'AP75': ('coco/bbox_mAP_75', 100),
    'APsegm': ('coco/segm_mAP', 100),
    'mIoU': ('mIoU', 1),
}


def headline_metrics(metrics: Dict[str, float]) -> Dict[str, float]:
    """APbox, AP50, AP75, APsegm (COCO) and mIoU (ADE20K), in percent, for
    those present in an evaluator's output."""
    return {
        name: float(metrics[key]) * scale
        for name, (key, scale) in HEADLINE_KEYS.items() if key in metrics
    }
