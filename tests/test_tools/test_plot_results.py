"""tools/analysis_tools/plot_results.py: both plots from files on disk."""
import json
import sys

import matplotlib.image as mpimg


def test_study_and_curves(run_tool, tmp_path):
    stats = dict(mean=2., std=.5, values=[1.5, 2.5])
    study = tmp_path / 'study.json'
    study.write_text(json.dumps(dict(summary=dict(
        random=dict(APbox=stats), recommended=dict(APbox=stats)))))
    log = tmp_path / 'run' / '20260101_000000' / 'vis_data'
    log.mkdir(parents=True)
    log.joinpath('scalars.json').write_text(''.join(
        json.dumps(dict(loss=3. - i, temperature=.07, step=i)) + '\n'
        for i in range(3)))
    for args, out in ((['study', str(study)], 'study.png'),
                      (['curves', str(tmp_path / 'run')], 'curves.png')):
        proc = run_tool([
            sys.executable, 'tools/analysis_tools/plot_results.py', *args,
            '--out', str(tmp_path / out)
        ])
        assert f'written to {tmp_path / out}' in proc.stdout
        assert mpimg.imread(tmp_path / out).std() > 0.01
