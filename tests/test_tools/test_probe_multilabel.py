"""tools/analysis_tools/probe_multilabel.py on the demo's COCO: both
probes' mAP written, clean, corrupted and attacked, a backbone loaded from
an export."""
import json
import sys

import torch

CONFIG = 'configs/probes/demo/coco-multilabel_convnext_demo.py'


def test_probes_of_a_random_and_an_exported_backbone(run_tool, small_demo_nsd,
                                                     tmp_path):
    coco = f'{small_demo_nsd}/coco/'
    options = ['--cfg-options', f'train_dataloader.dataset.data_root={coco}',
               f'test_dataloader.dataset.data_root={coco}',
               # the small demo has no files without its NSD images
               'train_dataloader.dataset.ann_file=annotations/'
               'instances_train2017.json',
               'test_dataloader.dataset.ann_file=annotations/'
               'instances_val2017.json']
    outs = []
    # one corruption and one budget, then neither
    robustness = ['corruption.severities=[3]', 'attack.eps=[0.0157]',
                  '--corruptions', 'gaussian_noise']
    for name, extra in (('random', robustness),
                        ('zeros', ['attack=None', '--corruptions', 'none',
                                   '--checkpoint', str(tmp_path /
                                                       'zeros.pth')])):
        if name == 'zeros':  # every backbone weight 0: constant features
            from mmengine.config import Config

            from mmbrain.registry import MODELS
            from mmbrain.utils import register_all_modules
            register_all_modules()
            backbone = MODELS.build(Config.fromfile(CONFIG).model.backbone)
            torch.save(dict(state_dict={
                f'backbone.{k}': torch.zeros_like(v)
                for k, v in backbone.state_dict().items()}), extra[-1])
        out = tmp_path / f'{name}.json'
        proc = run_tool([sys.executable,
                         'tools/analysis_tools/probe_multilabel.py', CONFIG,
                         '--out', str(out), *options, *extra], tmp_path)
        assert '4 classes' in proc.stdout
        outs.append(json.loads(out.read_text()))
    random, zeros = outs
    assert set(zeros) == {'multilabel/linear_mAP', 'multilabel/knn_mAP',
                          'multilabel/weight_decay', 'conditions'}
    assert set(random) == {
        'multilabel/linear_mAP', 'multilabel/knn_mAP',
        'multilabel/linear_mPC', 'multilabel/linear_rPC',
        'multilabel/knn_mPC', 'multilabel/knn_rPC',
        'multilabel/linear_mAP_pgd4', 'multilabel/linear_mAP_pgd4_drop',
        'multilabel/weight_decay', 'conditions'}
    # one condition: mPC is its mAP
    assert random['multilabel/knn_mPC'] == random['conditions'][
        'gaussian_noise/3']['knn']
    assert 0 < random['multilabel/knn_mAP'] <= 100
    # constant features rank every image alike: the loaded weights count
    assert random['multilabel/linear_mAP'] != zeros['multilabel/linear_mAP']
