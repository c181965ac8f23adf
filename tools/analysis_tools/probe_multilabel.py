"""Multi-label probes of a frozen backbone: a linear classifier and a kNN
over its pooled features, scored as mAP on COCO-format test images, clean,
corrupted (mPC, rPC) and under PGD.

    python tools/analysis_tools/probe_multilabel.py \
        configs/probes/coco-multilabel_convnext_s.py \
        [--checkpoint backbone.pth] [--out metrics.json] \
        [--corruptions benchmark | none | NAME ...]

Without ``--checkpoint`` the backbone is drawn under the config's
``randomness.seed``; with it, an exported backbone
(``tools/model_converters/export_backbone.py``) is loaded. The linear
probe's weight decay is chosen on a fifth of the training images. The
config's ``corruption`` and ``attack`` sections set the corruptions and
the PGD budgets.
"""
from mmbrain.apis import probe_multilabel
from mmbrain.apis.probe_tool import probe_main
from mmbrain.utils import report_user_errors


@report_user_errors
def main():
    probe_main(__doc__.splitlines()[0], probe_multilabel,
               'multilabel_metrics.json')


if __name__ == '__main__':
    main()
