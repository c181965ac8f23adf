"""The study's pre-registered design, written before its runs: its
endpoints, the validity gate, the comparisons and the target."""
from .probes import PROBES

# the study's figures per arm and seed, by name, with what each is
ENDPOINTS = {
    'APbox': 'box AP (Mask R-CNN)',
    'APsegm': 'mask AP (Mask R-CNN)',
    'mIoU': 'mIoU (UperNet)',
    'retrieval_top5': 'retrieval top-5 %',
    'mean_r': 'held-out subject mean r',
}
# the downstream ones, on which the study's verdict is judged
TRANSFER_ENDPOINTS = ('APbox', 'APsegm', 'mIoU')

# the significance level of the verdict, after Holm's correction
ALPHA = 0.05
# what the verdict may be judged on: the downstream tasks and the frozen
# probes (a run's ``probes`` entry, named ``probes/<probe>`` here)
JUDGED_ENDPOINTS = TRANSFER_ENDPOINTS + tuple(f'probes/{p}' for p in PROBES)
# The validity gate, fixed before any run: an endpoint counts only where
# the positive control (the oracle, taught the features that drive the
# synthetic brains) beats the shared starting point (the random arm) by at
# least this margin, on the mean over seeds, and, with two seeds or more,
# with the lower end of the paired 95% interval above 0. Points of AP, mIoU
# or probe accuracy.
GATE_ARM, GATE_BASELINE = 'oracle', 'random'
GATE_MARGINS = dict(
    APbox=1.0, APsegm=1.0, mIoU=1.0,
    **{f'probes/{p}': 1.0 if p == 'pixel_miou' else 2.0 for p in PROBES})
# arms that show what the instrument can see, not controls of a brain arm
POSITIVE_CONTROLS = ('oracle', 'voxel-encoding')
# The study's comparisons, written down before any run: each first arm
# minus its second, paired by seed on the gated endpoints, Holm-corrected
# over all of them. Does the brain beat its shuffled control, alone and on
# top of image-only self-supervision; does it add to self-supervision; and
# does it beat captions of the same images?
COMPARISONS = (('recommended', 'shuffled'), ('ssl+brain', 'ssl+shuffled'),
               ('ssl+brain', 'ssl'), ('recommended', 'captions'))
# the result no public work has shown: the brain above its control alone
# and above both image-only controls on top of self-supervision
TARGET = (('recommended', 'shuffled'), ('ssl+brain', 'ssl+shuffled'),
          ('ssl+brain', 'ssl'))
