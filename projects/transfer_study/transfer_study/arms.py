"""The transfer study's arms: named pretraining configs, ``random`` for none,
and the paper's numbers for the arms it reports."""
import os.path as osp
from typing import Dict, List, Optional, Sequence

from mmengine.config import Config

from mmbrain.utils import UserError

# the repository, whose tools and configs the study calls
REPO_ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..', '..'))

# the demo's arms: the shared starting point, the brain with its shuffled
# control, image-only self-supervision (MoCo v3, chosen on the validation
# probes), the brain on top of it, captions of the same images, and the
# positive control the validity gate rests on (taught the images' COCO
# categories)
DEMO_ARMS = (
    'random',
    'shuffled=configs/pretrain/demo/brainformer_convnext_demo_shuffled.py',
    'recommended=configs/pretrain/demo/brainformer_convnext_demo.py',
    'ssl=configs/pretrain/demo/mocov3_convnext_demo.py',
    'ssl+brain=configs/pretrain/demo/brainformer-mocov3_convnext_demo.py',
    'captions=configs/pretrain/demo/clip-captions_convnext_demo.py',
    'labels=configs/pretrain/demo/labels_convnext_demo.py',
)
# the study's: those, the control of ssl+brain, and the demo's second
# positive control (taught the generator's own features)
STUDY_ARMS = DEMO_ARMS + (
    'ssl+shuffled='
    'configs/pretrain/demo/brainformer-mocov3_convnext_demo_shuffled.py',
    'oracle=projects/transfer_study/configs/oracle_convnext_demo.py',
)
# the downstream configs: the ridge readout and RSA of the held-out
# subject (encoding), the frozen probes, and the fine-tunes
DEMO_DOWNSTREAM = dict(
    encoding='configs/encoding/demo/ridge_convnext_demo_random.py',
    multilabel='configs/probes/demo/coco-multilabel_convnext_demo.py',
    segmentation='configs/probes/demo/ade20k-linear_convnext_demo.py',
    mask_rcnn=(
        'configs/mask_rcnn/demo/mask-rcnn_convnext-demo_fpn_coco-demo_random.py'
    ),
    upernet='configs/upernet/demo/upernet_convnext-demo_ade20k-demo_random.py')
DEMO_ABLATION_ARMS = ('random', 'recommended=configs/pretrain/demo/'
                      'brainformer_convnext_demo.py') + tuple(
    f'{name}=configs/pretrain/demo/ablations/brainformer_convnext_demo_'
    f'{name}.py' for name in (
        'pos-embed', 'window32-stride16', 'window32-stride8', 'no-guidance',
        'linear-encoder', '1-subject', 'lambda-con0.3-bfg0.7',
        'lambda-con0.7-bfg0.3')) + (
            'mindeye=configs/pretrain/demo/mindeye_convnext_demo.py',
            'neurofusion=configs/pretrain/demo/neurofusion_convnext_demo.py')
# --recipe paper: the keys in which configs/pretrain/*_paper.py differ from
# the recommended recipe, as --cfg-options
PAPER_RECIPE = ('model.head.roi_pooling=global',
                'model.head.guidance_loss.negatives=rois')
# ConvNeXt-S in the paper (box AP, mask AP, mIoU, PCC): Table 1 and the
# ablation rows of Table 3, by the arm names used here
PAPER_ROWS = {
    'random': (42.6, 39.8, 39.22, 54.21),
    'paper': (45.1, 44.0, 42.92, 57.43),
    'recommended': (45.1, 44.0, 42.92, 57.43),
    'pos-embed': (41.9, 41.8, 41.72, 56.19),
    'no-guidance': (42.7, 40.7, 41.80, 56.25),
    'linear-encoder': (42.8, 39.1, 39.54, 54.39),
    '1-subject': (42.5, 39.3, 39.15, 54.20),
}


def parse_arms(specs: Sequence[str],
               root: str = REPO_ROOT) -> Dict[str, Optional[str]]:
    """``NAME=CONFIG`` or ``random`` each -> name: config (None for
    random); UserError naming a malformed spec or a missing config."""
    arms = {}
    for spec in specs:
        name, _, config = spec.partition('=')
        if not config and name != 'random':
            raise UserError(f'arm {spec!r}: expected NAME=CONFIG or random')
        if config and not osp.exists(osp.join(root, config)):
            raise UserError(f'arm {name}: no config {config}')
        arms[name] = config or None
    return arms


def applicable(cfg: Config, options: Sequence[str]) -> List[str]:
    """The ``KEY=VALUE`` options that change a key ``cfg`` sets; one the
    config has no such key for (the guidance loss's negatives without a
    guidance loss, the attention pooling of a regression head) is dropped
    with a message."""
    kept = []
    for option in options:
        parts = option.partition('=')[0].split('.')
        node = cfg.to_dict()
        for part in parts[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
        if not isinstance(node, dict) or parts[-1] not in node:
            print(f'{option}: dropped, {".".join(parts)} is not set in '
                  f'{osp.basename(cfg.filename)}')
        else:
            kept.append(option)
    return kept
