"""A linear segmentation probe of a frozen backbone: its stages on one
grid, a linear classifier per cell, scored as mIoU on ADE20K-format test
images, clean and corrupted (mPC, rPC).

    python tools/analysis_tools/probe_segmentation.py \
        configs/probes/ade20k-linear_convnext_s.py \
        [--checkpoint backbone.pth] [--out metrics.json] \
        [--corruptions benchmark | none | NAME ...]

Without ``--checkpoint`` the backbone is drawn under the config's
``randomness.seed``; with it, an exported backbone is loaded. The weight
decay is chosen on a fifth of the training images.
"""
from mmbrain.apis import probe_segmentation
from mmbrain.apis.probe_tool import probe_main
from mmbrain.utils import report_user_errors


@report_user_errors
def main():
    probe_main(__doc__.splitlines()[0], probe_segmentation,
               'segmentation_metrics.json')


if __name__ == '__main__':
    main()
