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
both. Every voxel's signal has the same variance, so a group's share of the
signal is its share of the voxels, and single-trial noise gives each group
the ncsnr range of :data:`~.responses.NCSNR_RANGES` (medians 0.55-0.7,
three-trial noise ceilings near 50-60%, as in NSD's visual cortex).
``make_demo_nsd.py`` prints them per subject and group, with the overlap.
Everything follows from ``seed``.

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
