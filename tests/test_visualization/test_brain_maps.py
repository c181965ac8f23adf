"""Brain maps: values land at their voxel indices in the subject's space,
and surface caches get per-ROI bars."""
import matplotlib.image as mpimg
import nibabel as nib
import numpy as np
import pytest

from mmbrain.datasets.nsd import CacheWriter, NSDFormatError
from mmbrain.visualization import encoding_maps, plot_roi_bars, voxel_volume

AFFINE = np.array([[-2., 0, 0, 10], [0, 2, 0, -4], [0, 0, 3, 1],
                   [0, 0, 0, 1]])


def write_cache(path, volume=True):
    """Two ROI groups sharing voxel (1, 2, 0) in a 3x4x2 volume (NSD), or
    the same groups as surface vertices (Algonauts)."""
    ijk = dict(a=np.array([[0, 0, 0], [1, 2, 0]]),
               b=np.array([[1, 2, 0], [2, 3, 1], [0, 1, 1]]))
    with CacheWriter(path, np.arange(2), np.zeros(2, bool)) as out:
        for roi, index in ijk.items():
            out.add_roi(roi, coords=np.zeros((len(index), 3)),
                        **(dict(ijk=index) if volume else
                           dict(vertex=np.arange(len(index)))))
        out.finish(1, list(ijk), '/raw', {},
                   volume=((3, 4, 2), AFFINE) if volume else None)


def test_voxel_volume_places_values_by_hand():
    volume = voxel_volume([np.array([0.5, -0.25])],
                          [np.array([[2, 0, 1], [0, 3, 0]])], (3, 4, 2))
    assert volume.shape == (3, 4, 2) and volume.dtype == np.float32
    assert volume[2, 0, 1] == 0.5 and volume[0, 3, 0] == -0.25
    assert np.isnan(volume).sum() == 3 * 4 * 2 - 2


def test_nsd_cache_gives_nifti_in_subject_space(tmp_path):
    cache = str(tmp_path / 'subj01.h5')
    write_cache(cache)
    rs = [np.array([0.1, 0.7]), np.array([0.7, -0.3, 0.4])]
    ceilings = [np.array([0.5, 0.49]), np.array([0.49, 0.2, 0.0])]
    files = encoding_maps(cache, ['a', 'b'], rs, ceilings,
                          str(tmp_path / 'maps'), 'test: ')
    assert [f.rsplit('/', 1)[-1] for f in files] == [
        'brain_r.nii.gz', 'brain_noise_normalized.nii.gz', 'brain_map.png']
    img = nib.load(files[0])
    np.testing.assert_allclose(img.affine, AFFINE)
    r = np.asarray(img.dataobj)
    assert r.shape == (3, 4, 2)
    assert r[1, 2, 0] == pytest.approx(0.7)  # the shared voxel
    assert r[2, 3, 1] == pytest.approx(-0.3)
    assert r[0, 1, 1] == pytest.approx(0.4)
    assert np.isfinite(r).sum() == 4  # NaN outside every ROI group
    score = np.asarray(nib.load(files[1]).dataobj)
    # 100 r^2 / NC, negative r -> 0, NC 0 -> 0, capped at 100
    assert score[0, 0, 0] == pytest.approx(2.0)
    assert score[1, 2, 0] == pytest.approx(100.)
    assert score[2, 3, 1] == 0 and score[0, 1, 1] == 0
    png = mpimg.imread(files[2])
    assert png.shape[0] > 200 and png.std() > 0.01  # drawn, not blank


def test_anatomy_under_the_map(tmp_path):
    """With a T1 in the subject's space, the slices show it where the map
    has no value: fewer white pixels than over nothing."""
    cache = str(tmp_path / 'subj01.h5')
    write_cache(cache)
    t1 = str(tmp_path / 'T1_to_func1pt8mm.nii.gz')
    anatomy = np.indices((3, 4, 2)).sum(0).astype(np.float32) + 50
    nib.save(nib.Nifti1Image(anatomy, AFFINE), t1)
    rs = [np.array([0.1, 0.7]), np.array([0.7, -0.3, 0.4])]
    white = {}
    for name, bg in (('bare', None), ('t1', t1)):
        files = encoding_maps(cache, ['a', 'b'], rs, None,
                              str(tmp_path / name), bg_img=bg)
        png = mpimg.imread(files[-1])[..., :3]
        white[name] = (png.min(-1) > 0.98).mean()
    assert white['t1'] < white['bare'] - 0.01
    with pytest.raises(NSDFormatError, match='T1.nii.gz: file not found'):
        encoding_maps(cache, ['a', 'b'], rs, None, str(tmp_path / 'x'),
                      bg_img=str(tmp_path / 'T1.nii.gz'))


def test_surface_cache_gives_roi_bars(tmp_path):
    cache = str(tmp_path / 'subj01.h5')
    write_cache(cache, volume=False)
    files = encoding_maps(cache, ['a', 'b'],
                          [np.array([0.1, 0.7]),
                           np.array([0.7, -0.3, 0.4])], None,
                          str(tmp_path / 'maps'))
    assert [f.rsplit('/', 1)[-1] for f in files] == ['roi_r.png']
    assert mpimg.imread(files[0]).std() > 0.01


def test_roi_bars_writes_png(tmp_path):
    out = plot_roi_bars(dict(v1=np.linspace(0, 1, 9), ffa=-np.ones(4)),
                        str(tmp_path / 'bars.png'))
    height, width, _ = mpimg.imread(out).shape
    assert width > height > 100
