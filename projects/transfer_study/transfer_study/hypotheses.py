"""The study's pre-registered design, written before its runs: its
endpoints, the validity gate, the comparisons and the targets."""
from .probes import PROBES

# the study's figures per arm and seed, by name, with what each is: the
# fine-tunes, retrieval and the ridge readout
ENDPOINTS = {
    'APbox': 'box AP (Mask R-CNN)',
    'APsegm': 'mask AP (Mask R-CNN)',
    'mIoU': 'mIoU (UperNet)',
    'retrieval_top5': 'retrieval top-5 %',
    'mean_r': 'held-out subject mean r',
}
# the endpoints of the frozen backbone, defined by the downstream datasets'
# annotations and the held-out subject (mmbrain.apis): the same code on the
# demo and on real NSD, COCO and ADE20K
CLEAN_ENDPOINTS = {
    'multilabel/linear_mAP': 'COCO multi-label linear probe mAP',
    'multilabel/knn_mAP': 'COCO multi-label kNN mAP',
    'segmentation/mIoU': 'ADE20K linear segmentation mIoU',
}
ROBUSTNESS_ENDPOINTS = {
    'multilabel/linear_mPC': 'linear probe mAP, corrupted (mPC)',
    'multilabel/linear_rPC': 'linear probe mPC / clean % (rPC)',
    'multilabel/knn_mPC': 'kNN mAP, corrupted (mPC)',
    'multilabel/knn_rPC': 'kNN mPC / clean % (rPC)',
    'segmentation/mPC': 'segmentation mIoU, corrupted (mPC)',
    'segmentation/rPC': 'segmentation mPC / clean % (rPC)',
    'multilabel/linear_mAP_pgd1': 'linear probe mAP, PGD 1/255',
    'multilabel/linear_mAP_pgd4': 'linear probe mAP, PGD 4/255',
}
SIMILARITY_ENDPOINTS = {
    'rsa/mean': 'RSA with the held-out subject (r)',
    'rsa_normalised/mean': 'RSA / split-half noise ceiling',
}
FROZEN_ENDPOINTS = {**CLEAN_ENDPOINTS, **ROBUSTNESS_ENDPOINTS,
                    **SIMILARITY_ENDPOINTS}
# the downstream ones, on which the study's verdict is judged
TRANSFER_ENDPOINTS = ('APbox', 'APsegm', 'mIoU')

# the significance level of the verdicts, after Holm's correction
ALPHA = 0.05
# What H1 and H2 (COMPARISONS, TARGET) are judged on: the fine-tunes and
# the clean frozen probes. (Until issue 44 they were judged on the
# generated-scene probes; those are a demo extra now, --scene-probes, and
# no verdict rests on them.)
JUDGED_ENDPOINTS = TRANSFER_ENDPOINTS + tuple(CLEAN_ENDPOINTS)
# What H3 is judged on: robustness and brain similarity.
H3_ENDPOINTS = tuple(ROBUSTNESS_ENDPOINTS) + tuple(SIMILARITY_ENDPOINTS)
# The validity gate, fixed before any run: an endpoint counts only where
# the positive control (``labels``: the backbone taught the COCO categories
# of the same NSD images, on the brain arms' path and schedule; it exists
# on real data) beats the shared starting point (the random arm) by at
# least this margin, on the mean over seeds, and, with two seeds or more,
# with the lower end of the paired 95% interval above 0. Points of AP,
# mIoU, mAP, mPC or rPC (percent), r for RSA. The demo's ``oracle`` (taught
# the generator's own features) is reported beside it as a second control.
GATE_ARM, GATE_BASELINE = 'labels', 'random'
SECOND_CONTROL = 'oracle'
GATE_MARGINS = {
    'APbox': 1.0, 'APsegm': 1.0, 'mIoU': 1.0,
    'multilabel/linear_mAP': 2.0, 'multilabel/knn_mAP': 2.0,
    'segmentation/mIoU': 1.0,
    'multilabel/linear_mPC': 2.0, 'multilabel/knn_mPC': 2.0,
    'segmentation/mPC': 1.0,
    'multilabel/linear_rPC': 2.0, 'multilabel/knn_rPC': 2.0,
    'segmentation/rPC': 2.0,
    'multilabel/linear_mAP_pgd1': 2.0, 'multilabel/linear_mAP_pgd4': 2.0,
    'rsa/mean': 0.02, 'rsa_normalised/mean': 0.05,
}
# arms that show what the instrument can see, not controls of a brain arm
POSITIVE_CONTROLS = ('labels', 'oracle', 'voxel-encoding')
# H1 and H2, written down before any run: each first arm minus its second,
# paired by seed on the gated JUDGED_ENDPOINTS, Holm-corrected over all of
# them. Does the brain beat its shuffled control, alone and on top of
# image-only self-supervision; does it add to self-supervision; and does
# it beat captions of the same images?
COMPARISONS = (('recommended', 'shuffled'), ('ssl+brain', 'ssl+shuffled'),
               ('ssl+brain', 'ssl'), ('recommended', 'captions'))
# the result no public work has shown: the brain above its control alone
# and above both image-only controls on top of self-supervision
TARGET = (('recommended', 'shuffled'), ('ssl+brain', 'ssl+shuffled'),
          ('ssl+brain', 'ssl'))
# H3, written down before any run on these endpoints (issue 44): where
# published work found neural alignment to help (robustness to corruptions
# and attacks, brain similarity), does the brain beat its shuffled control,
# alone and on top of self-supervision? Each pair's first arm minus its
# second, paired by seed, on the gated H3_ENDPOINTS, Holm-corrected over
# all these rows; met on an endpoint where both pairs are better (mean > 0,
# Holm p < ALPHA).
H3_COMPARISONS = (('recommended', 'shuffled'),
                  ('ssl+brain', 'ssl+shuffled'))
# the generated-scene probes (demo extras), named probes/<probe>
SCENE_PROBES = tuple(f'probes/{p}' for p in PROBES)
