"""projects/transfer_study/tools/probe_backbone.py on a few small scenes."""
import json
import sys

from projects.transfer_study.transfer_study.probes import PROBES

CONFIG = 'configs/encoding/demo/ridge_convnext_demo_random.py'


def test_probes_of_a_random_backbone_are_written(run_tool, tmp_path):
    out = tmp_path / 'probes.json'
    args = [sys.executable, 'projects/transfer_study/tools/probe_backbone.py', CONFIG,
            '--num-train', '40', '--num-test', '30', '--size', '64',
            '--out', str(out)]
    proc = run_tool(args)
    scores = json.loads(out.read_text())
    assert list(scores) == list(PROBES)
    assert all(0 <= v <= 100 for v in scores.values())
    assert 'probe/presence' in proc.stdout and 'majority class' in proc.stdout
    # a random backbone is seeded: the same seed gives the same scores
    run_tool(args)
    assert json.loads(out.read_text()) == scores


def test_validation_scenes_are_other_scenes(run_tool, tmp_path):
    """--scenes validation scores the same backbone on other scenes."""
    outs = []
    for scenes in ('test', 'validation'):
        out = tmp_path / f'{scenes}.json'
        run_tool([sys.executable, 'projects/transfer_study/tools/probe_backbone.py',
                  CONFIG, '--num-train', '40', '--num-test', '30', '--size',
                  '64', '--scenes', scenes, '--out', str(out)])
        outs.append(json.loads(out.read_text()))
    assert outs[0] != outs[1]
