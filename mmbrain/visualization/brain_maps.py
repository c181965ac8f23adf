"""Brain maps of per-voxel results: NIfTI volumes in the subject's own
space, drawn with nilearn; per-ROI bars where there is no volume (the
Algonauts surface)."""
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import nibabel as nib
import numpy as np
from nibabel.affines import apply_affine

from mmbrain.datasets.nsd import BrainCache
from mmbrain.datasets.nsd.layout import require_file
from mmbrain.evaluation import noise_normalized_score
from .canvas import agg_figure


def voxel_volume(values: Sequence[np.ndarray], ijk: Sequence[np.ndarray],
                 shape: Tuple[int, int, int]) -> np.ndarray:
    """Per-voxel values placed at their voxel indices.

    Args:
        values (Sequence[np.ndarray]): Per ROI group, (V_k,) values.
        ijk (Sequence[np.ndarray]): Per ROI group, (V_k, 3) voxel indices.
        shape (tuple): (X, Y, Z) of the volume.

    Returns:
        np.ndarray: (X, Y, Z) float32, NaN outside every ROI group (a voxel
        in two groups has one value: its responses, so its predictions,
        are the same in both).
    """
    if len(values) != len(ijk):
        raise ValueError(f'{len(values)} value arrays for {len(ijk)} index '
                         'arrays')
    volume = np.full(shape, np.nan, dtype=np.float32)
    for v, index in zip(values, ijk):
        volume[tuple(np.asarray(index).T)] = v
    return volume


def save_brain_maps(maps: Dict[str, np.ndarray],
                    affine: np.ndarray,
                    out_prefix: str,
                    title: str = '',
                    bg_img: Optional[str] = None) -> Dict[str, str]:
    """Write each (X, Y, Z) map as ``<out_prefix><name>.nii.gz`` with the
    subject's affine, and one PNG of them all, ``<out_prefix>map.png``
    (nilearn's ``plot_stat_map``, axial slices through the ROI voxels; a
    value of exactly 0 is drawn as background).

    Args:
        bg_img (str, optional): Anatomy to draw under the maps, a NIfTI in
            the subject's space (NSD's ``T1_to_func1pt8mm.nii.gz``).
            Defaults to None (no anatomy).

    Returns:
        dict: name (and ``'png'``) -> file written.
    """
    if bg_img is not None:
        require_file(bg_img)
    files = {}
    fig = agg_figure(figsize=(11, 2.2 * len(maps)))
    axes = fig.subplots(len(maps), 1, squeeze=False)
    for ax, (name, volume) in zip(axes[:, 0], maps.items()):
        files[name] = f'{out_prefix}{name}.nii.gz'
        nib.save(nib.Nifti1Image(volume.astype(np.float32), affine),
                 files[name])
        inside = np.isfinite(volume)
        if not inside.any():
            raise ValueError(f'{files[name]}: no voxel has a value')
        # up to 7 axial cuts (world z) spread over the ROI voxels' z
        z = apply_affine(affine, np.argwhere(inside))[:, 2]
        cuts = np.unique(np.quantile(z, np.linspace(0.05, 0.95, 7)).round(1))
        vmax = float(np.nanmax(np.abs(volume))) or 1.
        from nilearn import plotting  # slow to import: only when drawing
        # signed maps (r) on a diverging scale, non-negative ones from 0
        signed = bool(np.nanmin(volume) < 0)
        colors = (dict(cmap='cold_hot') if signed else dict(
            cmap='inferno', symmetric_cbar=False, vmin=0.))
        plotting.plot_stat_map(
            nib.Nifti1Image(np.nan_to_num(volume), affine),
            bg_img=bg_img, display_mode='z', cut_coords=cuts.tolist(),
            axes=ax, vmax=vmax, threshold=1e-6, colorbar=True,
            black_bg=False, annotate=True, draw_cross=False, **colors)
        over = '' if bg_img is None else f', over {osp.basename(bg_img)}'
        ax.set_title(f'{title}{name} ({inside.sum()} voxels{over})',
                     fontsize=10)
    files['png'] = f'{out_prefix}map.png'
    fig.savefig(files['png'], dpi=100)
    return files


def plot_roi_bars(values: Dict[str, np.ndarray], out_file: str,
                  ylabel: str = 'Pearson r', title: str = '') -> str:
    """One bar per ROI group: the median over its voxels (or vertices),
    the interquartile range as the error bar.

    Args:
        values (dict): ROI group -> (V_k,) per-voxel values.
        out_file (str): The PNG to write.

    Returns:
        str: ``out_file``.
    """
    rois = list(values)
    q1, median, q3 = np.array(
        [np.percentile(values[r], [25, 50, 75]) for r in rois]).T
    fig = agg_figure(figsize=(1.0 * len(rois) + 1.5, 3.2),
                     layout='tight')
    ax = fig.subplots()
    ax.bar(range(len(rois)), median, color='#3b6fb6', alpha=0.8,
           yerr=[median - q1, q3 - median], capsize=3)
    ax.set_xticks(range(len(rois)), [
        f'{r}\n({len(values[r])})' for r in rois
    ], fontsize=8, rotation=20)
    ax.axhline(0, color='0.3', lw=0.8)
    ax.set_ylabel(f'{ylabel} (median; bars: quartiles)', fontsize=9)
    ax.set_title(title, fontsize=9)
    ax.grid(axis='y', alpha=0.3)
    fig.savefig(out_file, dpi=110)
    return out_file


def encoding_maps(cache_file: str,
                  rois: Sequence[str],
                  rs: Sequence[np.ndarray],
                  ceilings: Optional[Sequence[np.ndarray]],
                  out_dir: str,
                  title: str = '',
                  bg_img: Optional[str] = None) -> List[str]:
    """Where a readout predicts a subject's brain, in ``out_dir``.

    For a cache with a volume (raw NSD), ``brain_r.nii.gz`` and, with
    noise ceilings, ``brain_noise_normalized.nii.gz`` (the Algonauts score
    per voxel, %), then ``brain_map.png``; for a surface cache (Algonauts),
    ``roi_r.png``, the per-ROI bars.

    Args:
        cache_file (str): The subject's prepared cache (``subjXX.h5``).
        rois (Sequence[str]): ROI groups, in the order of ``rs``.
        rs (Sequence[np.ndarray]): Per ROI group, (V_k,) Pearson r.
        ceilings (Sequence[np.ndarray], optional): Per ROI group, (V_k,)
            noise ceilings (fraction of variance).
        out_dir (str): Where to write.
        title (str): Prefix of the titles.
        bg_img (str, optional): Anatomy under the volume maps (see
            :func:`save_brain_maps`).

    Returns:
        list[str]: The files written.
    """
    os.makedirs(out_dir, exist_ok=True)
    with BrainCache(cache_file, rois) as cache:
        if cache.affine is None:  # vertices, no volume
            return [plot_roi_bars(dict(zip(rois, rs)),
                                  osp.join(out_dir, 'roi_r.png'),
                                  title=title + 'per-vertex r')]
        ijk = [cache.ijk(roi) for roi in rois]
        shape, affine = cache.volume_shape, cache.affine
    maps = dict(r=voxel_volume(rs, ijk, shape))
    if ceilings is not None:
        maps['noise_normalized'] = voxel_volume(
            [noise_normalized_score(r, c) for r, c in zip(rs, ceilings)],
            ijk, shape)
    return list(save_brain_maps(maps, affine, osp.join(out_dir, 'brain_'),
                                title, bg_img).values())
