"""load_tool_config: R, the number of ROI groups, is written once."""
import os.path as osp

import pytest

from mmbrain.utils import load_tool_config

FIVE = ['prf-visualrois', 'floc-bodies', 'floc-faces', 'floc-places',
        'streams']


@pytest.fixture
def config_over_demo(repo_root, tmp_path):
    """``config_over_demo(text)``: the path of a config inheriting the demo
    pretraining config, with ``text`` after its ``_base_``."""
    demo = osp.join(repo_root, 'configs', 'pretrain', 'demo',
                    'brainformer_convnext_demo.py')

    def write(text):
        path = tmp_path / 'over_demo.py'
        path.write_text(f'_base_ = {demo!r}\n{text}')
        return str(path)

    return write


def five_rois(*splits):
    return ''.join(f'{s}_dataloader = dict(dataset=dict(rois={FIVE}))\n'
                   for s in splits)


def test_num_rois_comes_from_the_datasets_list(config_over_demo):
    assert load_tool_config(
        config_over_demo('')).model.brain_encoder.num_rois == 6
    cfg = load_tool_config(config_over_demo(five_rois('train', 'val',
                                                      'test')))
    assert cfg.model.brain_encoder.num_rois == 5
    assert 'num_rois' not in cfg.model.head  # the pretrainer gives it


@pytest.mark.parametrize('text,error', [
    (five_rois('train', 'val', 'test') +
     'model = dict(brain_encoder=dict(num_rois=6))\n',
     'model.brain_encoder.num_rois is 6 but train_dataloader.dataset.rois '
     'lists 5 ROI groups'),
    (five_rois('train', 'val', 'test') +
     'model = dict(head=dict(num_rois=6))\n',
     'model.head.num_rois is 6 but train_dataloader'),
    (five_rois('train', 'val', 'test') +
     "model = dict(brain_encoder=dict(_delete_=True, type="
     "'LinearBrainEncoder', num_voxels=[9] * 6, embed_dims=64))\n",
     'model.brain_encoder.num_voxels has 6 but'),
    (five_rois('train'), 'the dataloaders serve different ROI groups'),
])
def test_counts_that_disagree_stop_the_build(config_over_demo, text, error):
    path = config_over_demo(text)
    with pytest.raises(ValueError, match=f'{path}: {error}'):
        load_tool_config(path)


def test_configs_without_a_brain_encoder_pass(repo_root):
    cfg = load_tool_config(osp.join(
        repo_root, 'configs', 'encoding', 'demo',
        'ridge_convnext_demo_random.py'))
    assert 'brain_encoder' not in cfg.model


def test_a_readout_head_must_have_an_output_per_roi_group(repo_root,
                                                          tmp_path):
    path = tmp_path / 'over_voxel_encoding.py'
    base = osp.join(repo_root, 'configs', 'pretrain', 'demo',
                    'voxel-encoding_convnext_demo.py')
    path.write_text(f'_base_ = {base!r}\n' +
                    five_rois('train', 'val', 'test'))
    with pytest.raises(ValueError, match='model.head.num_outputs has 6 but '
                       'train_dataloader.dataset.rois lists 5'):
        load_tool_config(str(path))
    assert load_tool_config(base).model.head.num_outputs[0] == 1000
