"""A small, learnable NSD written in the real on-disk layout.

The images are synthetic scenes (sky, ground, and up to four non-overlapping
objects of four COCO categories) and every voxel's response is computed from
the image content, with a feature family per ROI group, plus trial noise and a
per-session drift:

=================  ==========================================================
ROI group          what its voxels respond to
=================  ==========================================================
prf-visualrois     local contrast in a population receptive field whose
                   centre in the image follows the voxel's position
floc-bodies        area of ``person`` objects per image quadrant
floc-faces         area of face-like ``clock`` objects per quadrant
floc-places        horizon height and sky/ground colour
floc-words         area of striped ``stop sign`` objects per quadrant
streams            area of every category, and the mean colour
=================  ==========================================================

Each voxel weighs its ROI's features with weights that vary smoothly with its
3D position, as neighbouring cortex does; a voxel in two groups (the blobs
overlap, as NSD's groups do: ``streams`` holds much of the others) sums
both. Every voxel's signal is standardised over the images, then scaled by
the voxel's ncsnr against single-trial noise of std ``noise``. The ncsnr is drawn per
voxel from its group's lognormal (:data:`~.responses.NCSNR_LOGNORMAL`) so
that each group is as noisy as in NSD
(:mod:`~mmbrain.datasets.nsd.published_ncsnr`): median 0.40 in
prf-visualrois, 0.26 in the floc groups, 0.33 in streams and nsdgeneral
(three-trial noise ceilings of 32%, 17% and 24%), with a long tail
of voxels with little or no signal. ``make_demo_nsd.py`` prints the medians
per subject and group, with the overlap. Everything follows from ``seed``.

For the downstream tasks, ``num_downstream`` more scenes that NSD never shows
are drawn, at ``downstream_size`` (128 px: objects of 10-50 px). ``coco/``
holds all images in the COCO layout (instances json
with boxes and polygons; the NSD images' ids are the stimulus table's
``cocoId`` s, so ``tools/dataset_converters/coco_exclude_nsd.py`` leaves the
others; and ``captions_{train,val}2017.json``, five captions per image made
from its content, :mod:`.scene_captions`), and ``ade20k/`` holds the others
in the ADE20K layout (``images/`` jpg and ``annotations/`` png label maps of
sky, earth and the objects). ``scene_features.h5`` beside the image brick
holds each image's own features per ROI group (:mod:`.features_file`), the
oracle arm's targets for ``LoadTargetVectors``.
"""
from .make import generator_version, make_demo_nsd
from .scenes import draw_scene, label_map, scene_features
from .spec import DemoSpec

__all__ = [
    'DemoSpec', 'draw_scene', 'generator_version', 'label_map',
    'make_demo_nsd', 'scene_features'
]
