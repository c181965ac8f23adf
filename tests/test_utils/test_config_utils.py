"""load_tool_config: the config as written, with the tools' run settings."""
import os.path as osp

from mmengine.config import Config

from mmbrain.utils import load_tool_config

FIVE = ['prf-visualrois', 'floc-bodies', 'floc-faces', 'floc-places',
        'streams']


def test_the_model_is_the_configs_as_written(demo_config, tmp_path):
    """No tool-time rewrite: a config whose dataloaders serve other ROI
    groups than its model keeps its model (the first batch stops it)."""
    path = tmp_path / 'five_rois.py'
    path.write_text(
        f'_base_ = {demo_config!r}\n' + ''.join(
            f'{s}_dataloader = dict(dataset=dict(rois={FIVE}))\n'
            for s in ('train', 'val', 'test')))
    cfg = load_tool_config(str(path))
    assert cfg.model == Config.fromfile(str(path)).model
    assert cfg.model.brain_encoder.num_rois == 6


def test_run_settings(demo_config, tmp_path):
    cfg = load_tool_config(demo_config, cfg_options={'max_epochs': 1})
    assert cfg.work_dir == osp.join('./work_dirs', 'brainformer_convnext_demo')
    assert cfg.launcher == 'none' and cfg.max_epochs == 1
    cfg = load_tool_config(demo_config, work_dir=str(tmp_path))
    assert cfg.work_dir == str(tmp_path)
