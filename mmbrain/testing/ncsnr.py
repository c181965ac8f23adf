"""NSD's ncsnr estimated from single-trial betas, to check the demo data's
(the caches read NSD's own ``ncsnr`` files)."""
import numpy as np


def estimate_ncsnr(betas: np.ndarray, images: np.ndarray) -> np.ndarray:
    """NSD's ncsnr of each voxel from its single-trial responses (Allen et
    al. 2022): the noise variance is the mean over images of the variance
    across an image's repeats (ddof 1), the signal variance what is left of
    the total; ``ncsnr = sqrt(max(0, total - noise) / noise)``.

    Args:
        betas (np.ndarray): (T, V) responses (z-scored per session, as NSD
            computes it).
        images (np.ndarray): (T, ) the image of each trial; images seen
            once are left out of the noise.

    Returns:
        np.ndarray: (V, ) ncsnr (0 where there is no signal).
    """
    ids, inverse, counts = np.unique(images, return_inverse=True,
                                     return_counts=True)
    sums = np.zeros((len(ids), betas.shape[1]))
    squares = np.zeros_like(sums)
    np.add.at(sums, inverse, betas)
    np.add.at(squares, inverse, betas**2)
    repeated = counts > 1
    n = counts[repeated, None]
    within = (squares[repeated] - sums[repeated]**2 / n) / (n - 1)
    noise = within.mean(0)
    signal = np.clip(betas.var(0) - noise, 0, None)
    return np.sqrt(np.divide(signal, noise, out=np.zeros_like(noise),
                             where=noise > 0))
