"""tools/analysis_tools/transfer_study.py: the statistics and the verdict
against hand-computed values, the arm specification, and training stages
that resume."""
import importlib.util
import os.path as osp

import pytest


@pytest.fixture(scope='module')
def tool(repo_root):
    """The transfer_study.py module."""
    path = osp.join(repo_root, 'tools', 'analysis_tools', 'transfer_study.py')
    spec = importlib.util.spec_from_file_location('transfer_study', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(box, segm, miou, top5, r):
    return dict(APbox=box, APsegm=segm, mIoU=miou, retrieval_top5=top5,
                mean_r=r, roi_median_r={'floc-faces': r / 2, 'streams': r})


def test_summary_and_verdict_by_hand(tool):
    runs = {
        'random': {0: run(10, 12, 20, None, .5), 1: run(12, 12, 22, None, .5)},
        'ours': {0: run(16, 13, 30, 40, .6), 1: run(20, 15, 30, 60, .7)},
    }
    summary = tool.summarise(runs)
    assert summary['random']['APbox']['mean'] == 11
    # sample std (ddof 1) of (10, 12): sqrt(2)
    assert summary['random']['APbox']['std'] == pytest.approx(2**0.5)
    assert summary['ours']['APbox']['std'] == pytest.approx(8**0.5)
    assert 'retrieval_top5' not in summary['random']
    assert summary['ours']['retrieval_top5']['values'] == [40, 60]
    verdict = tool.verdict(summary, 'ours', ['random'])
    # APbox 18 - 11 = 7 > max(1.41, 2.83); APsegm 14 - 12 = 2 > max(0,
    # 1.41); mIoU 30 - 21 = 9 > max(1.41, 0)
    assert verdict == dict(APbox=True, APsegm=True, mIoU=True)
    # APbox (10, 12, 20): mean 14, std sqrt(28) = 5.3 > 18 - 14
    runs['random'][2] = run(20, 12, 20, None, .5)
    verdict = tool.verdict(tool.summarise(runs), 'ours', ['random'])
    assert verdict['APbox'] is False
    rois = tool.roi_table({arm: runs[arm] for arm in ('random', 'ours')})
    assert rois.splitlines()[0].split() == ['arm', 'floc-faces', 'streams']
    assert rois.splitlines()[2].split() == ['ours', '0.325', '0.650']
    table = tool.format_table(summary)
    assert '18.0 ± 2.8' in table and '0.650 ± 0.071' in table
    # random: three 'mean ± std' cells, then no retrieval
    assert table.splitlines()[1].split()[10] == '-'


def test_arms_are_named_configs(tool):
    arms = tool.parse_arms(list(tool.DEMO_ARMS))
    assert arms['random'] is None
    assert list(arms) == ['random', 'shuffled', 'paper', 'recommended']
    with pytest.raises(SystemExit, match='NAME=CONFIG'):
        tool.parse_arms(['shuffled'])
    with pytest.raises(SystemExit, match='no config'):
        tool.parse_arms(['x=configs/none.py'])


def test_ablation_arms_and_table(tool):
    arms = tool.parse_arms(list(tool.DEMO_ABLATION_ARMS))
    assert list(arms)[:2] == ['random', 'recommended']
    assert len(arms) == 12 and all(arms[a] for a in list(arms)[1:])
    assert list(arms)[-2:] == ['mindeye', 'neurofusion']
    summary = tool.summarise({
        'random': {0: run(10, 12, 20, None, .5), 1: run(12, 12, 22, None,
                                                         .5)},
        'window32-stride8': {0: run(16, 13, 30, 40, .6)},
    })
    lines = tool.ablation_table(summary).splitlines()
    assert lines[1].split() == [
        'random', '11.0', '±', '1.4', '12.0', '±', '0.0', '21.0', '±', '1.4',
        '0.500', '±', '0.000', '42.6', '/', '39.8', '/', '39.22', '/', '54.21'
    ]
    assert lines[2].split()[-1] == '-'  # the paper has no such row


def test_paper_recipe_options_make_the_paper_configs(tool, repo_root):
    """--recipe paper's options turn the recommended demo config into the
    paper one; under a part the config leaves out they are dropped."""
    from mmengine.config import Config
    demo = osp.join(repo_root, 'configs', 'pretrain', 'demo')
    cfg = Config.fromfile(osp.join(demo, 'brainformer_convnext_demo.py'))
    options = tool.applicable(cfg, tool.PAPER_RECIPE)
    assert options == list(tool.PAPER_RECIPE)
    cfg.merge_from_dict(dict(o.split('=') for o in options))
    paper = Config.fromfile(osp.join(demo, 'brainformer_convnext_demo_paper.py'))
    assert cfg.model.to_dict() == paper.model.to_dict()
    mindeye = Config.fromfile(osp.join(demo, 'mindeye_convnext_demo.py'))
    assert tool.applicable(mindeye, tool.PAPER_RECIPE) == [
        'model.head.roi_pooling=global']


def test_a_work_dir_keeps_its_pretraining_options(tool, tmp_path,
                                                  monkeypatch):
    monkeypatch.setattr(tool, 'ROOT', str(tmp_path))
    (tmp_path / 'study').mkdir()
    tool.check_options('study', ['model.head.roi_pooling=global'])
    tool.check_options('study', ['model.head.roi_pooling=global'])
    with pytest.raises(SystemExit, match=r"pretrained with \['model.head"):
        tool.check_options('study', [])
    # runs without a record were pretrained with the configs as they are
    (tmp_path / 'old' / 'seed0').mkdir(parents=True)
    with pytest.raises(SystemExit, match=r'pretrained with \[\], not'):
        tool.check_options('old', ['train_cfg.max_epochs=6'])
    tool.check_options('old', [])


def test_a_killed_training_resumes_and_a_finished_one_is_skipped(
        tool, tmp_path, toy_config, monkeypatch, capfd):
    """A training stage is done only once it ended: a killed one (its
    checkpoints saved) resumes from the last one, not taken as done."""
    import subprocess
    monkeypatch.setenv('PYTHONPATH', osp.dirname(toy_config))
    study = tool.Study(str(tmp_path), 'data', [1, 2], {})
    work_dir, seed = str(tmp_path / 'train'), ['randomness.seed=0']
    monkeypatch.setenv('TOY_KILL_AT', '5')
    with pytest.raises(subprocess.CalledProcessError):
        study.train('toy', toy_config, work_dir, seed)
    assert not osp.exists(osp.join(work_dir, 'finished'))
    monkeypatch.delenv('TOY_KILL_AT')
    assert study.train('toy', toy_config, work_dir, seed) == osp.join(
        work_dir, 'iter_10.pth')
    assert 'resumed epoch: 0, iter: 4' in ''.join(capfd.readouterr())
    study.train('toy', toy_config, work_dir, seed)
    assert f'{osp.join(work_dir, "finished")} exists, skipped' in (
        capfd.readouterr().out)
