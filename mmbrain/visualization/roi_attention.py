"""Where in the image each ROI looks: the paper's Fig. 6.

For a :class:`~mmbrain.models.BrainGuidedPretrainer` and a batch from its
data preprocessor, one map per ROI group and image, at the image's size:

- :func:`roi_attention_maps`: the head's own per-ROI spatial attention
  (``BrainAlignHead(roi_pooling='attention')``, :class:`RoiAttentionPool`),
  upsampled bilinearly from the last feature map (N, R, h, w). The values
  are the attention weights, which sum to 1 over the h x w cells.
- :func:`roi_gradcam_maps`: Grad-CAM (``pytorch_grad_cam.GradCAM``) of the
  ROI alignment score ``s^k = p̄^k·q̄^k`` (:class:`RoiAlignmentScores`) with
  respect to the backbone's last output, the (N, C, h, w) map the head
  pools. q̄^k is the brain encoder's ROI-k feature of the image's own fMRI,
  so this works for any head (``'global'`` pooling included, where the head
  has no spatial attention) but needs an encoder that gives q̄. Each map is
  scaled to [0, 1] by the package (per image and ROI).

:func:`roi_maps` picks the method the head supports (attention where it has
it), and :func:`draw_roi_panels` draws the image and one overlay per ROI
with matplotlib's Agg canvas (no pyplot, no display).
"""
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmbrain.models.heads import BrainAlignHead
from .canvas import agg_figure

METHODS = ('auto', 'attention', 'gradcam')
METHOD_TITLES = {'attention': 'attention', 'gradcam': 'Grad-CAM'}


def _head_and_check(model: nn.Module) -> nn.Module:
    head = getattr(model, 'head', None)
    if not isinstance(head, BrainAlignHead):
        raise TypeError('ROI maps need a BrainGuidedPretrainer with a '
                        f'BrainAlignHead; got {type(model).__name__}')
    return head


def _feature_map(model: nn.Module, img: torch.Tensor) -> torch.Tensor:
    feats = model.extract_feat(img)
    if feats.dim() != 4:
        raise ValueError('ROI maps need the backbone\'s last output as a '
                         '(N, C, h, w) map; this backbone gives '
                         f'{tuple(feats.shape)} (it pools inside)')
    return feats


@torch.no_grad()
def roi_attention_maps(model: nn.Module, inputs: dict) -> np.ndarray:
    """The head's ROI attention, upsampled to the image size.

    Args:
        model (BrainGuidedPretrainer): with ``roi_pooling='attention'``.
        inputs (dict): ``inputs`` of the data preprocessor; only ``img``
            (N, 3, H, W) is used.

    Returns:
        np.ndarray: (N, R, H, W) float32, bilinear (half-pixel centres)
        upsampling of the head's (N, R, h, w) attention, whose every map
        sums to 1 over the h x w cells.
    """
    head = _head_and_check(model)
    if head.roi_pool is None:
        raise ValueError('the head pools every ROI globally '
                         "(roi_pooling='global'): it has no ROI attention; "
                         'use roi_gradcam_maps')
    img = inputs['img']
    _, _, attn = head(_feature_map(model, img))
    attn = F.interpolate(attn, size=img.shape[-2:], mode='bilinear',
                         align_corners=False)
    return attn.float().cpu().numpy()


class RoiAlignmentScores(nn.Module):
    """Image -> per-ROI alignment scores with fixed brain features, the
    model that Grad-CAM differentiates.

    ``s^k = p̄^k·q̄^k``, the positive logit of the guidance loss (times its
    temperature): p̄^k the head's ROI-k image feature, q̄^k the brain
    encoder's ROI-k feature of the same sample, both after the head's fusion
    block if it has one, and L2-normalised where the guidance loss
    normalises (the default; raw features for ``normalize=False``).

    The backbone's last output passes through :attr:`features`, an
    identity, so that Grad-CAM can hook it whatever the backbone is; the
    backbone itself runs without gradients (none are needed above the
    hooked map).

    Args:
        model (BrainGuidedPretrainer): The pretrainer.
        brain (Tensor): (N, d) brain features q of the batch.
        brain_rois (Tensor): (N, R, d) ROI brain features q̄ of the batch.
    """

    def __init__(self, model: nn.Module, brain: torch.Tensor,
                 brain_rois: torch.Tensor):
        super().__init__()
        self.model = model
        self.head = _head_and_check(model)
        self.features = nn.Identity()
        self.brain = brain
        self.brain_rois = brain_rois
        loss = self.head.guidance_loss
        self.normalize = True if loss is None else loss.normalize

    def forward(self, img: torch.Tensor) -> torch.Tensor:
        """(N, 3, H, W) normalised images -> (N, R) scores."""
        # Grad-CAM needs gradients from the backbone's output on, not
        # through the backbone
        with torch.no_grad():
            feats = _feature_map(self.model, img)
        feats = self.features(feats.requires_grad_())
        img_p, img_rois, _ = self.head(feats)
        _, img_rois, _, brain_rois = self.head.fuse(img_p, img_rois,
                                                    self.brain,
                                                    self.brain_rois)
        if self.normalize:
            img_rois = F.normalize(img_rois, dim=-1)
            brain_rois = F.normalize(brain_rois, dim=-1)
        return (img_rois * brain_rois).sum(-1)


def encode_brain_rois(model: nn.Module,
                      inputs: dict) -> Tuple[torch.Tensor, torch.Tensor]:
    """q (N, d) and q̄ (N, R, d) of the batch's fMRI, without gradients;
    a ValueError where the encoder gives no q̄."""
    with torch.no_grad():
        brain, brain_rois = model.encode_brain(inputs)
    if brain_rois is None:
        raise ValueError(
            f'{type(model.brain_encoder).__name__} gives no ROI features q̄ '
            '(MindEyeBrainEncoder gives them with roi_tokens=True), so there '
            'is no ROI alignment score p̄^k·q̄^k for Grad-CAM; only a head '
            "with roi_pooling='attention' can show where its ROIs look")
    return brain, brain_rois


def roi_gradcam_maps(model: nn.Module, inputs: dict) -> np.ndarray:
    """Grad-CAM of each ROI's alignment score on the backbone's last output.

    One ``pytorch_grad_cam.GradCAM`` pass per ROI k, with the target
    ``ClassifierOutputTarget(k)`` on the (N, R) output of
    :class:`RoiAlignmentScores` and its identity on the backbone's last
    (N, C, h, w) output as the target layer: channel weights are the
    spatially averaged gradients of s^k, the map the ReLU of the weighted
    channel sum, resized to the image and min-max scaled to [0, 1] per
    image by the package (an all-zero map: no position raises s^k).

    Args:
        model (BrainGuidedPretrainer): any head; the brain encoder must give
            ROI features q̄.
        inputs (dict): ``inputs`` of the data preprocessor: ``img`` (N, 3,
            H, W), and the fMRI (``fmri``, ``coords`` once per subject,
            ``rows``, ``mask``, optional ``subject``) of the same images.

    Returns:
        np.ndarray: (N, R, H, W) float32 in [0, 1].
    """
    from pytorch_grad_cam import GradCAM
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

    _head_and_check(model)
    was_training = model.training
    model.eval()
    brain, brain_rois = encode_brain_rois(model, inputs)
    scorer = RoiAlignmentScores(model, brain, brain_rois)
    img = inputs['img']
    maps = []
    try:
        with torch.enable_grad(), GradCAM(
                model=scorer, target_layers=[scorer.features]) as cam:
            for k in range(brain_rois.shape[1]):
                maps.append(
                    cam(input_tensor=img,
                        targets=[ClassifierOutputTarget(k)] * len(img)))
    finally:
        model.zero_grad(set_to_none=True)
        model.train(was_training)
    return np.stack(maps, axis=1).astype(np.float32)


def resolve_method(model: nn.Module, method: str = 'auto') -> str:
    """``'attention'`` or ``'gradcam'``; ``'auto'`` is the head's attention
    where it pools with attention, else Grad-CAM."""
    if method not in METHODS:
        raise ValueError(f'method must be one of {METHODS}, got {method!r}')
    if method != 'auto':
        return method
    return ('attention'
            if _head_and_check(model).roi_pool is not None else 'gradcam')


def roi_maps(model: nn.Module,
             inputs: dict,
             method: str = 'auto') -> Tuple[np.ndarray, str]:
    """(N, R, H, W) maps of :func:`roi_attention_maps` or
    :func:`roi_gradcam_maps` (see :func:`resolve_method`), and the method
    used (``'attention'`` or ``'gradcam'``)."""
    method = resolve_method(model, method)
    fn = roi_attention_maps if method == 'attention' else roi_gradcam_maps
    return fn(model, inputs), method


def draw_roi_panels(image: np.ndarray,
                    maps: np.ndarray,
                    roi_names: Sequence[str],
                    method: str,
                    title: Optional[str] = None,
                    feature_size: Optional[Tuple[int, int]] = None,
                    panel_inches: float = 1.7,
                    cmap: str = 'jet',
                    alpha: float = 0.5):
    """The image, then one overlay per ROI, in a row.

    Every overlay shares one colour scale and colorbar, so ROIs compare:
    [0, 1] for Grad-CAM, the range of the weights over all ROIs for
    attention (which, near uniform, would show nothing from 0).

    Args:
        image (np.ndarray): (H, W, 3) uint8 RGB image the model saw.
        maps (np.ndarray): (R, H, W) maps of that image.
        roi_names (Sequence[str]): R ROI names, in the maps' order.
        method (str): ``'attention'`` or ``'gradcam'``.
        title (str, optional): Figure title.
        feature_size (tuple, optional): (h, w) of the feature map, named in
            the colorbar's label.
        panel_inches (float): Width of a panel.
        cmap (str): Colormap of the overlays.
        alpha (float): Opacity of the overlays.

    Returns:
        matplotlib.figure.Figure: on an Agg canvas; ``fig.savefig(path)``.
    """
    if method not in METHOD_TITLES:
        raise ValueError(f'method must be one of {tuple(METHOD_TITLES)}, '
                         f'got {method!r}')
    if len(maps) != len(roi_names):
        raise ValueError(f'{len(maps)} maps for {len(roi_names)} ROI names')
    if maps.shape[1:] != image.shape[:2]:
        raise ValueError(f'maps of size {maps.shape[1:]} for an image of '
                         f'size {image.shape[:2]}')
    panels = len(maps) + 1
    fig = agg_figure(
        figsize=(panel_inches * panels + 0.6, panel_inches + 0.55),
        layout='constrained')
    axes = fig.subplots(1, panels)
    axes[0].imshow(image)
    axes[0].set_title('image', fontsize=8)
    if method == 'gradcam':
        vmin, vmax = 0., 1.
        label = 'Grad-CAM of $\\bar p^k\\cdot\\bar q^k$\n(0-1 per ROI)'
    else:  # weights near uniform vary little: span their range
        vmin, vmax = float(maps.min()), float(maps.max())
        vmax = max(vmax, vmin + 1e-6)
        label = 'attention weight'
        if feature_size:
            h, w = feature_size
            label += f'\n(uniform: 1/{h * w} = {1 / (h * w):.3g})'
    shown = None
    for ax, roi_map, name in zip(axes[1:], maps, roi_names):
        ax.imshow(image)
        shown = ax.imshow(roi_map, cmap=cmap, alpha=alpha, vmin=vmin,
                          vmax=vmax, interpolation='bilinear')
        ax.set_title(f'{name}\n{METHOD_TITLES[method]}', fontsize=8)
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    bar = fig.colorbar(shown, ax=list(axes), fraction=0.02, pad=0.01)
    bar.solids.set_alpha(1)
    bar.ax.tick_params(labelsize=7)
    bar.set_label(label, fontsize=7)
    if title:
        fig.suptitle(title, fontsize=9)
    return fig


def batch_images(batch: dict) -> List[np.ndarray]:
    """The (H, W, 3) uint8 RGB images of a collated batch before the data
    preprocessor (``inputs``: a list of (3, H, W) tensors or one stacked
    tensor)."""
    return [img.permute(1, 2, 0).cpu().numpy().astype(np.uint8)
            for img in batch['inputs']]


def save_figure(fig, path: str, dpi: int = 100) -> None:
    """Save a figure as an optimised RGB PNG on a white background (no
    alpha channel; about 250 KB for six ROIs at the default size)."""
    import io

    from PIL import Image

    buf = io.BytesIO()
    fig.savefig(buf, format='png', dpi=dpi, facecolor='white')
    buf.seek(0)
    Image.open(buf).convert('RGB').save(path, format='png', optimize=True)
