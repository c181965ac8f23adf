"""projects/transfer_study/tools/plot_results.py: the plots from files on disk."""
import json
import sys

import matplotlib.image as mpimg


def test_study_and_curves(run_tool, tmp_path):
    stats = dict(mean=2., std=.5, values=[1.5, 2.5])
    study = tmp_path / 'study.json'
    study.write_text(json.dumps(dict(summary=dict(
        random=dict(APbox=stats), recommended=dict(APbox=stats)),
        comparisons=[dict(arm='recommended', control='random',
                          metric='APbox', mean=1., low=.2, high=1.8,
                          p_holm=.03, seeds=[0, 1, 2])])))
    log = tmp_path / 'run' / '20260101_000000' / 'vis_data'
    log.mkdir(parents=True)
    log.joinpath('scalars.json').write_text(''.join(
        json.dumps(dict(loss=3. - i, temperature=.07, step=i)) + '\n'
        for i in range(3)))
    for args, out in ((['study', str(study)], 'study.png'),
                      (['comparisons', str(study)], 'comparisons.png'),
                      (['curves', str(tmp_path / 'run')], 'curves.png')):
        proc = run_tool([
            sys.executable, 'projects/transfer_study/tools/plot_results.py', *args,
            '--out', str(tmp_path / out)
        ])
        assert f'written to {tmp_path / out}' in proc.stdout
        assert mpimg.imread(tmp_path / out).std() > 0.01


def test_a_study_without_comparisons_is_refused(run_tool, tmp_path):
    study = tmp_path / 'study.json'
    study.write_text(json.dumps(dict(summary={}, comparisons=[])))
    proc = run_tool([
        sys.executable, 'projects/transfer_study/tools/plot_results.py',
        'comparisons', str(study), '--out', str(tmp_path / 'c.png')
    ], check=False)
    assert proc.returncode != 0 and 'no "comparisons"' in proc.stderr
    assert not (tmp_path / 'c.png').exists()
