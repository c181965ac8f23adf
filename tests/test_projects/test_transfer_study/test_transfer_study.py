"""The transfer study project: its summary, paired comparisons and verdict
against hand-computed values, the arm specification, and training stages
that resume."""
import os
import os.path as osp

import pytest
from scipy import stats

from mmbrain.utils import UserError, read_json
from projects.transfer_study.transfer_study import arms as tool_arms
from projects.transfer_study.transfer_study import hypotheses, tables
from projects.transfer_study.transfer_study.study import check_options


def run(box, segm, miou, top5, r):
    return {'APbox': box, 'APsegm': segm, 'mIoU': miou,
            'retrieval_top5': top5, 'mean_r': r,
            'multilabel/linear_mAP': 100 * r, 'segmentation/mIoU': 10 * r,
            'rsa/mean': r / 5,
            'roi_median_r': {'floc-faces': r / 2, 'streams': r},
            'probes': {'presence': 100 * r, 'pixel_miou': 10 * r}}


def test_summary_by_hand():
    runs = {
        'random': {0: run(10, 12, 20, None, .5), 1: run(12, 12, 22, None, .5)},
        'ours': {0: run(16, 13, 30, 40, .6), 1: run(20, 15, 30, 60, .7)},
    }
    summary = tables.summarise(runs)
    assert summary['random']['APbox']['mean'] == 11
    # sample std (ddof 1) of (10, 12): sqrt(2)
    assert summary['random']['APbox']['std'] == pytest.approx(2**0.5)
    assert summary['ours']['APbox']['std'] == pytest.approx(8**0.5)
    assert 'retrieval_top5' not in summary['random']
    assert summary['ours']['retrieval_top5']['values'] == [40, 60]
    rois = tables.roi_table(runs)
    assert rois.splitlines()[0].split() == ['arm', 'floc-faces', 'streams']
    assert rois.splitlines()[2].split() == ['ours', '0.325', '0.650']
    probe_lines = tables.probe_table(runs).splitlines()
    assert probe_lines[0].split() == ['arm', 'presence', 'pixel_miou']
    assert probe_lines[2].split() == ['ours', '65.00', '6.50']
    table = tables.format_table(summary)
    assert '18.0 ± 2.8' in table and '0.650 ± 0.071' in table
    # random: three 'mean ± std' cells, then no retrieval
    assert table.splitlines()[1].split()[10] == '-'
    # the frozen endpoints: a line each, an arm a column; r in 3 digits
    frozen = tables.endpoint_table(summary).splitlines()
    assert frozen[0].split() == ['endpoint', 'random', 'ours']
    assert frozen[1].split() == ['multilabel/linear_mAP', '50.0', '±',
                                 '0.0', '65.0', '±', '7.1']
    rsa = next(line for line in frozen if line.startswith('rsa/mean'))
    assert rsa.split()[1:] == ['0.100', '±', '0.000', '0.130', '±',
                               '0.014']
    assert frozen[2].split()[1] == '-'  # no kNN figure


def test_paired_comparisons_and_the_verdict_by_hand():
    runs = {
        'ours': {s: run(b, 5, m, 40, .6) for s, b, m in
                 ((0, 14, 30), (1, 15, 21), (2, 19, 25))},
        'random': {s: run(b, 5, m, None, .5) for s, b, m in
                   ((0, 10, 20), (1, 12, 22), (2, 15, 24))},
        'shuffled': {s: run(b, 5, 20, 10, .5) for s, b in
                     ((0, 13), (1, 14), (2, 18))},
    }
    rows = tables.compare(runs, 'ours', ['random', 'shuffled'],
                          ('APbox', 'APsegm', 'mIoU'))
    assert [(r['control'], r['metric']) for r in rows] == [
        (c, m) for c in ('random', 'shuffled')
        for m in ('APbox', 'APsegm', 'mIoU')]
    box = rows[0]
    # differences 4, 3, 4: mean 11/3, sd 1/sqrt(3)
    assert box['mean'] == pytest.approx(11 / 3)
    assert box['p'] == pytest.approx(
        stats.ttest_rel([14, 15, 19], [10, 12, 15]).pvalue)
    # APsegm is equal everywhere: p 1; against shuffled APbox is +1 on
    # every seed: p 0
    assert rows[1]['p'] == 1.0 and rows[3]['p'] == 0.0
    ps = [r['p'] for r in rows]
    ranked = sorted(range(6), key=lambda i: ps[i])
    # Holm: the k-th smallest p times (6 - k), then made monotone
    expected, running = [0.] * 6, 0.
    for k, i in enumerate(ranked):
        running = max(running, min(1., (6 - k) * ps[i]))
        expected[i] = running
    assert [r['p_holm'] for r in rows] == pytest.approx(expected)
    assert tables.verdict(rows) == dict(
        APbox=rows[0]['better'] and rows[3]['better'], APsegm=False,
        mIoU=rows[2]['better'] and rows[5]['better'])
    assert rows[3]['better'] and not rows[1]['better']
    table = tables.comparison_table(rows).splitlines()
    assert table[4].split()[:4] == ['ours', '-', 'shuffled', 'APbox']
    # one seed in common: nothing to compare
    assert tables.compare({'ours': {0: runs['ours'][0]},
                           'random': runs['random']}, 'ours',
                          ['random']) == []
    # the clean frozen probes are judged too, by default (not the scene
    # probes, a demo extra)
    probes = tables.compare(runs, 'ours', ['random'])
    assert [r['metric'] for r in probes][3:] == [
        'multilabel/linear_mAP', 'segmentation/mIoU']
    assert probes[3]['mean'] == pytest.approx(10.)  # 60 - 50 on every seed


def test_pre_registered_comparisons_and_the_target_by_hand():
    """The four pairs, Holm over all of their rows; the target is met on
    a metric only where its three pairs all are better."""
    boxes = dict(recommended=(14, 15, 19), shuffled=(13, 14, 18),
                 captions=(14, 15, 19), ssl=(10, 11, 12),
                 **{'ssl+brain': (12, 13, 14), 'ssl+shuffled': (12, 13, 14)})
    runs = {arm: {s: run(b, 5, 20, None, .5) for s, b in enumerate(box)}
            for arm, box in boxes.items()}
    rows = tables.compare_pairs(runs, hypotheses.COMPARISONS, ('APbox', ))
    assert [(r['arm'], r['control']) for r in rows] == list(
        hypotheses.COMPARISONS)
    # +1, +2 on every seed: p 0; equal everywhere: p 1
    assert [r['mean'] for r in rows] == pytest.approx([1, 0, 2, 0])
    assert [r['p'] for r in rows] == [0., 1., 0., 1.]
    assert [r['better'] for r in rows] == [True, False, True, False]
    # ssl+brain does not beat ssl+shuffled: not met
    assert tables.target_met(rows) == dict(APbox=False)
    runs['ssl+shuffled'] = runs['ssl']
    rows = tables.compare_pairs(runs, hypotheses.COMPARISONS, ('APbox', ))
    assert tables.target_met(rows) == dict(APbox=True)
    # a pair whose arm is not run is left out, and misses the target
    del runs['ssl']
    rows = tables.compare_pairs(runs, hypotheses.COMPARISONS, ('APbox', ))
    assert len(rows) == 3
    assert tables.target_met(rows) == dict(APbox=False)


def test_the_gate_by_hand():
    """An endpoint counts where the positive control (labels) beats the
    starting point by its margin, with (from 2 seeds) the paired interval
    above 0; the oracle is judged alike, as a second control."""
    def probed(box, linear_map):
        return {**run(box, 5, 20, None, .5),
                'multilabel/linear_mAP': linear_map}

    runs = {
        'random': {0: probed(10, 60), 1: probed(12, 62), 2: probed(11, 61)},
        # APbox +0.5 (below its margin of 1); mAP +5, +1, +9: mean 5,
        # sd 4, interval 5 -+ t(0.975, 2) 4 / sqrt(3)
        'labels': {0: probed(10.5, 65), 1: probed(12.5, 63),
                   2: probed(11.5, 70)},
    }
    gates = tables.gate(runs)
    assert gates['APbox']['mean'] == pytest.approx(0.5)
    assert not gates['APbox']['passed']
    linear = gates['multilabel/linear_mAP']
    assert linear['mean'] == pytest.approx(5.)
    half = stats.t.ppf(0.975, 2) * 4 / 3**0.5
    assert linear['low'] == pytest.approx(5 - half)
    assert 5 - half < 0 and not linear['passed']  # reaches below 0
    # +5, +4, +6: sd 1, the interval 5 -+ 2.5
    runs['labels'][1], runs['labels'][2] = probed(12.5, 66), probed(11.5, 67)
    assert tables.gate(runs)['multilabel/linear_mAP']['passed']
    # one seed: the mean against the margin alone
    one = tables.gate({a: {0: r[0]} for a, r in runs.items()})
    assert one['multilabel/linear_mAP'] == dict(mean=5., low=None,
                                                margin=2., seeds=1,
                                                passed=True)
    assert tables.gate({'random': runs['random']}) == {}
    assert 'multilabel/linear_mAP' in tables.gate_table(gates)
    # the second control, by the same rule
    runs['oracle'] = runs.pop('labels')
    assert tables.gate(runs) == {}
    assert tables.gate(runs, arm='oracle')['multilabel/linear_mAP'][
        'passed']


def test_arms_are_named_configs():
    arms = tool_arms.parse_arms(list(tool_arms.DEMO_ARMS))
    assert arms['random'] is None
    assert list(arms) == ['random', 'shuffled', 'recommended', 'ssl',
                          'ssl+brain', 'captions', 'labels']
    study = tool_arms.parse_arms(list(tool_arms.STUDY_ARMS))
    assert list(study)[7:] == ['ssl+shuffled', 'oracle']
    # every pre-registered comparison is between arms the study runs, and
    # the demo has the gate's arms
    assert all(a in study and b in study for a, b in
               hypotheses.COMPARISONS + hypotheses.H3_COMPARISONS)
    assert {hypotheses.GATE_ARM, hypotheses.GATE_BASELINE} <= set(arms)
    with pytest.raises(UserError, match='NAME=CONFIG'):
        tool_arms.parse_arms(['shuffled'])
    with pytest.raises(UserError, match='no config'):
        tool_arms.parse_arms(['x=configs/none.py'])


def test_ablation_arms_and_table():
    arms = tool_arms.parse_arms(list(tool_arms.DEMO_ABLATION_ARMS))
    assert list(arms)[:2] == ['random', 'recommended']
    assert len(arms) == 12 and all(arms[a] for a in list(arms)[1:])
    assert list(arms)[-2:] == ['mindeye', 'neurofusion']
    summary = tables.summarise({
        'random': {0: run(10, 12, 20, None, .5), 1: run(12, 12, 22, None,
                                                         .5)},
        'window32-stride8': {0: run(16, 13, 30, 40, .6)},
    })
    lines = tables.ablation_table(summary).splitlines()
    assert lines[1].split() == [
        'random', '11.0', '±', '1.4', '12.0', '±', '0.0', '21.0', '±', '1.4',
        '0.500', '±', '0.000', '42.6', '/', '39.8', '/', '39.22', '/', '54.21'
    ]
    assert lines[2].split()[-1] == '-'  # the paper has no such row


def test_paper_recipe_options_make_the_paper_configs(repo_root):
    """--recipe paper's options turn the recommended demo config into the
    paper one; under a part the config leaves out they are dropped."""
    from mmengine.config import Config
    demo = osp.join(repo_root, 'configs', 'pretrain', 'demo')
    cfg = Config.fromfile(osp.join(demo, 'brainformer_convnext_demo.py'))
    options = tool_arms.applicable(cfg, tool_arms.PAPER_RECIPE)
    assert options == list(tool_arms.PAPER_RECIPE)
    cfg.merge_from_dict(dict(o.split('=') for o in options))
    paper = Config.fromfile(osp.join(demo, 'brainformer_convnext_demo_paper.py'))
    assert cfg.model.to_dict() == paper.model.to_dict()
    mindeye = Config.fromfile(osp.join(demo, 'mindeye_convnext_demo.py'))
    assert tool_arms.applicable(mindeye, tool_arms.PAPER_RECIPE) == [
        'model.head.roi_pooling=global']


def test_a_work_dir_keeps_its_pretraining_options(tmp_path):
    root = str(tmp_path)
    (tmp_path / 'study').mkdir()
    check_options('study', ['model.head.roi_pooling=global'], root)
    check_options('study', ['model.head.roi_pooling=global'], root)
    with pytest.raises(UserError, match=r"pretrained with \['model.head"):
        check_options('study', [], root)
    # runs without a record were pretrained with the configs as they are
    (tmp_path / 'old' / 'seed0').mkdir(parents=True)
    with pytest.raises(UserError, match=r'pretrained with \[\], not'):
        check_options('old', ['train_cfg.max_epochs=6'], root)
    check_options('old', [], root)


def test_a_work_dir_keeps_its_data(tmp_path):
    """Runs on a demo that has been regenerated since are not resumed."""
    import json

    from projects.transfer_study.transfer_study.study import (
        check_data, runs_of_other_data)
    (tmp_path / 'study').mkdir()
    (tmp_path / 'data').mkdir()
    summary = tmp_path / 'data' / 'demo_summary.json'
    summary.write_text(json.dumps(dict(spec=dict(seed=0), subjects={})))
    check_data('study', 'data', str(tmp_path))
    check_data('study', 'data', str(tmp_path))
    assert not runs_of_other_data('study', 'data', str(tmp_path))
    summary.write_text(json.dumps(dict(spec=dict(seed=1), subjects={})))
    assert runs_of_other_data('study', 'data', str(tmp_path))
    with pytest.raises(UserError, match='holds runs on other data'):
        check_data('study', 'data', str(tmp_path))
    check_data('study', 'elsewhere', str(tmp_path))  # no summary: passes


def test_runs_go_two_at_once_and_come_back_in_order(tmp_path, monkeypatch):
    """jobs=2: two runs overlap (neither passes the barrier alone); the
    runs are kept by arm, then seed, whatever order they finish in."""
    import threading
    import time

    from projects.transfer_study.transfer_study import study as transfer_study
    both = threading.Barrier(2, timeout=10)

    def fake_run(self, arm, config, seed):
        if (arm, seed) == ('a', 0):
            both.wait()  # the first two runs meet
            time.sleep(.2)  # and this one finishes second
        elif (arm, seed) == ('b', 0):
            both.wait()
        return run(10 + seed, 5, 20, None, .5 if arm == 'a' else .6)

    monkeypatch.setattr(transfer_study.Study, 'run', fake_run)
    result = transfer_study.run_study(
        dict(a=None, b=None), [0, 1], 'data', [1, 2], {}, 'study',
        root=str(tmp_path), jobs=2)
    assert list(result['runs']) == ['a', 'b']
    assert [list(seeds) for seeds in result['runs'].values()] == [[0, 1]] * 2
    assert result['summary']['b']['mean_r']['values'] == [.6, .6]
    assert result['summary']['a']['APbox']['values'] == [10, 11]
    assert result['jobs'] == 2


def test_the_comparisons_are_drawn_beside_the_study(tmp_path, monkeypatch):
    """Two seeds of a pre-registered pair: its comparisons are in
    study.json and drawn in comparisons.png; arms without one draw none."""
    from projects.transfer_study.transfer_study import study as transfer_study

    def fake_run(self, arm, config, seed):
        return run(10 + seed + (arm == 'recommended'), 5, 20, None, .5)

    monkeypatch.setattr(transfer_study.Study, 'run', fake_run)
    result = transfer_study.run_study(
        dict(recommended=None, shuffled=None), [0, 1], 'data', [1, 2], {},
        'study', root=str(tmp_path))
    assert {r['metric'] for r in result['comparisons']} >= {'APbox'}
    assert (tmp_path / 'study' / 'comparisons.png').stat().st_size > 0
    transfer_study.run_study(dict(a=None, b=None), [0, 1], 'data', [1, 2],
                             {}, 'other', root=str(tmp_path))
    assert (tmp_path / 'other' / 'study.png').exists()
    assert not (tmp_path / 'other' / 'comparisons.png').exists()


@pytest.mark.parametrize('jobs', [1, 2])
def test_a_failed_run_stops_the_study(tmp_path, monkeypatch, jobs):
    """After a run fails, those under way end and no other begins."""
    import time

    from projects.transfer_study.transfer_study import study as transfer_study
    started = []

    def fake_run(self, arm, config, seed):
        started.append(arm)
        time.sleep(.2 if arm == 'a' else .5)
        if arm == 'a':
            raise RuntimeError('a failed')
        return run(10, 5, 20, None, .5)

    monkeypatch.setattr(transfer_study.Study, 'run', fake_run)
    with pytest.raises(RuntimeError, match='a failed'):
        transfer_study.run_study(dict(a=None, b=None, c=None, d=None), [0],
                                 'data', [1, 2], {}, 'study',
                                 root=str(tmp_path), jobs=jobs)
    assert started == ['a', 'b'][:jobs]


def test_stages_go_through_the_slurm_runner_and_resume(tmp_path, capsys):
    """With SlurmStages (submitit's local executor), a stage is a job run
    in the repository root; once its result exists it is skipped, and a
    failed job stops the stage with its job named."""
    import subprocess

    from projects.transfer_study.transfer_study.study import Study
    from projects.transfer_study.transfer_study.slurm import SlurmStages
    runner = SlurmStages(str(tmp_path / 'slurm' / '%j'), cluster='local',
                         timeout_min=5)
    study = Study('study', 'data', [1, 2], {}, root=str(tmp_path), jobs=2,
                  runner=runner)
    assert study.threads is None  # a job's threads are its own
    write = ['-c', 'open("result.txt", "w").write("done")']
    assert study.stage('write it', write, 'result.txt') == 'result.txt'
    assert (tmp_path / 'result.txt').read_text() == 'done'
    assert 'job' in capsys.readouterr().out
    study.stage('write it', write, 'result.txt')
    assert 'result.txt exists, skipped' in capsys.readouterr().out
    with pytest.raises(subprocess.CalledProcessError, match='slurm job'):
        study.stage('fail', ['-c', 'raise SystemExit(2)'], 'none.txt')


# a stage's json result, written as the tools write theirs
WRITE_PROBES = ('import sys; from mmbrain.utils import write_json; '
                'write_json(sys.argv[1], dict(presence=float(sys.argv[2])))')


def resumable_run(checkpoint):
    """A ``Study.run`` of two stages: a backbone exported by the real tool
    from ``checkpoint``, and a json of probe scores."""
    import torch

    def fake_run(self, arm, config, seed):
        run_dir = osp.join(self.work_dir, f'seed{seed}', arm)
        backbone = self.stage('export the backbone', [
            'tools/model_converters/export_backbone.py', checkpoint,
            osp.join(run_dir, 'backbone.pth')
        ], osp.join(run_dir, 'backbone.pth'))
        probes = self.stage('probes', [
            '-c', WRITE_PROBES, osp.join(run_dir, 'probes.json'), str(seed)
        ], osp.join(run_dir, 'probes.json'))
        weight = torch.load(backbone)['state_dict']['backbone.w']
        return run(float(weight.sum()), 5, 20, None,
                   read_json(probes)['presence'])

    return fake_run


@pytest.fixture(scope='module')
def finished_study(tmp_path_factory, repo_root):
    """A one-arm, one-seed study whose stages ran: (its folder, the
    pretraining checkpoint it exports)."""
    import torch

    from projects.transfer_study.transfer_study import study as transfer_study
    folder = tmp_path_factory.mktemp('finished_study')
    checkpoint = str(folder / 'pretrain.pth')
    torch.save(dict(state_dict={'backbone.w': torch.ones(4),
                                'head.w': torch.ones(1)}), checkpoint)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(transfer_study.Study, 'run', resumable_run(checkpoint))
        transfer_study.run_study(dict(a=None), [3], 'data', [1, 2], {},
                                 str(folder / 'study'), root=repo_root)
    return folder, checkpoint


@pytest.mark.parametrize('name', ['probes.json', 'backbone.pth'])
@pytest.mark.parametrize('cut', ['empty', 'half', 'all but the last byte'])
def test_a_cut_result_is_set_aside_and_its_stage_redone(
        name, cut, finished_study, tmp_path, monkeypatch, repo_root, capsys):
    """A result cut short (a kill, a full disk) is moved aside with a
    warning naming it; its stage alone runs again and the study ends."""
    import shutil

    from projects.transfer_study.transfer_study import study as transfer_study
    folder, checkpoint = finished_study
    work_dir = tmp_path / 'study'
    shutil.copytree(folder / 'study', work_dir)
    os.remove(work_dir / 'study.json')
    result = work_dir / 'seed3' / 'a' / name
    whole = result.read_bytes()
    keep = dict(empty=0, half=len(whole) // 2).get(cut, len(whole) - 1)
    result.write_bytes(whole[:keep])
    monkeypatch.setattr(transfer_study.Study, 'run',
                        resumable_run(checkpoint))
    with pytest.warns(UserWarning, match=f'{result}: .*; moved to '
                      f'{result}.damaged and redoing its stage'):
        study = transfer_study.run_study(dict(a=None), [3], 'data', [1, 2],
                                         {}, str(work_dir), root=repo_root)
    assert result.read_bytes() == whole if name.endswith('json') else (
        result.stat().st_size == len(whole))
    assert (work_dir / 'seed3' / 'a' / f'{name}.damaged').read_bytes() == (
        whole[:keep])
    written = read_json(str(work_dir / 'study.json'))['runs']['a']['3']
    assert (written['APbox'], written['mean_r']) == (4.0, 3.0)
    assert study['runs']['a'][3] == written
    other = {'probes.json': 'backbone.pth', 'backbone.pth': 'probes.json'}
    assert f'{other[name]} exists, skipped' in capsys.readouterr().out
