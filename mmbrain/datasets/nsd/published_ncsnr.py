"""How noisy NSD's voxels are, per ROI group, as published: the targets of
the demo's noise (:mod:`mmbrain.datasets.demo`) and of its test.

Every figure is NSD's single-trial ncsnr (signal std over the std of one
trial's noise) of ``betas_fithrf_GLMdenoise_RR`` in ``func1pt8mm`` voxels,
the version and space the demo writes. Two sources give numbers:

* Allen et al. 2022 (Nat. Neurosci. 25:116), Supplementary Fig. 6, whose
  code and printed results are ``mainfigures/MAPOFSIGNAL/MAPOFSIGNALnotes.m``
  in https://github.com/cvnlab/nsddatapaper: the median b3 noise ceiling in
  nsdgeneral, on the fsaverage surface, is 36.2% averaged over the 8
  subjects (median ncsnr 0.32-0.54 per subject). The paper gives no
  volumetric figure and no per-group one.
* Brain-Score's packaging of NSD (https://github.com/brain-score/vision,
  ``brainscore_vision/data/allen2022_fmri/data_packaging/notebooks/``), which
  reads NSD's own volumetric ``ncsnr.nii.gz`` files: ``volumetric/
  01_nsd_data_exploration.ipynb`` gives each subject's median ncsnr in
  nsdgeneral (0.361, 0.361, 0.324, 0.296, 0.415, 0.343, 0.281, 0.226; the
  median three-trial noise ceiling averages 24.2%, against 36.2% on the
  surface, which it reproduces); ``volumetric/02_nsd_data_preparation.ipynb``
  the median noise ceiling and the voxels above 30% (ncsnr 0.378) of V1, V2
  and V4 pooled over the 8 subjects (37.4% and 5402 of 9039; 31.2%, 4584 of
  8792; 25.3%, 1660 of 3982); ``06_scientific_validation.ipynb`` the same for
  Glasser's nine ventral temporal parcels (FFC, VVC, VMV2-3, PHA1-3, TE1p,
  TE2p) in subjects 1 and 2 (14.7%, 757 of 3292; 19.7%, 1315 of 3841) and for
  the whole ventral stream (7.8%, 11744 of 62751).

Only medians and those shares are published. The spreads and lower tails
below are derived: a lognormal fitted to each region's median and share
above 0.378 has a log-sd of 0.67 (V1), 0.53 (V2), 0.56 (V4), 0.66 (ventral
temporal) and 0.91 (ventral stream); its 10th/90th percentiles and share
below 0.2 are the values given. No source gives the floc groups' own
figures; the ventral temporal parcels, which hold FFA, PPA, the VWFAs and
FBA, stand in for them (the occipital and lateral areas OFA, OPA and EBA lie
outside them). NSD's ``streams`` covers most of nsdgeneral, so both take
nsdgeneral's figures, whose spread is taken as 0.66 (that of the fitted
regions), not measured.
"""
from typing import NamedTuple


class NCSNRTarget(NamedTuple):
    """One ROI group's ncsnr in NSD.

    Attributes:
        median (float): Median ncsnr over the group's voxels (published).
        p10 (float): 10th percentile (derived, see the module).
        p90 (float): 90th percentile (derived).
        below (float): Share of the voxels with ncsnr below
            :data:`LOW_NCSNR` (derived).
        source (str): Where the median comes from.
    """
    median: float
    p10: float
    p90: float
    below: float
    source: str


# the threshold NSD users drop voxels below (Conwell et al. 2024, Nat.
# Commun. 15:9383, "NCSNR > 0.2")
LOW_NCSNR = 0.2

_EARLY = NCSNRTarget(
    0.398, 0.19, 0.87, 0.12,
    'V1, V2, V4 pooled over 8 subjects (Brain-Score, from NSD ncsnr.nii.gz)')
_VENTRAL = NCSNRTarget(
    0.263, 0.11, 0.61, 0.34,
    'Glasser ventral temporal parcels, subjects 1-2 (Brain-Score); a proxy')
_GENERAL = NCSNRTarget(
    0.326, 0.14, 0.76, 0.23,
    'nsdgeneral, mean of the 8 subjects\' medians (Brain-Score)')

NSD_NCSNR = {
    'prf-visualrois': _EARLY,
    'floc-bodies': _VENTRAL,
    'floc-faces': _VENTRAL,
    'floc-places': _VENTRAL,
    'floc-words': _VENTRAL,
    'streams': _GENERAL,
    'nsdgeneral': _GENERAL,
}
