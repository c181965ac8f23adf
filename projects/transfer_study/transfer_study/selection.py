"""Choosing between settings on validation data: each candidate config
pretrained from one seed's shared starting point, exported, and probed on
the validation scenes (``probe_backbone.py --scenes validation``), never on
the study's test splits or probe scenes. The candidate with the highest
mean probe score is chosen."""
import os.path as osp
import statistics
from typing import Dict, List

from mmbrain.utils import read_json, write_json
from .arms import REPO_ROOT
from .probes import PROBES
from .study import Study


def select_on_validation(candidates: Dict[str, str],
                         work_dir: str,
                         data_root: str,
                         subjects: List[int],
                         probe_config: str,
                         start_config: str,
                         seed: int = 100,
                         root: str = REPO_ROOT) -> dict:
    """Pretrain, export and probe every candidate (name: config) and the
    shared starting point (``start``) under ``seed``; writes and returns
    ``selection.json``: per candidate its validation probes and their
    ``mean``, and ``chosen``, the candidate of the highest mean."""
    study = Study(work_dir, data_root, subjects, dict(encoding=probe_config),
                  root=root, start_config=start_config)
    start = study.start(seed)
    backbones = dict(start=start)
    for name, config in candidates.items():
        backbones[name], _ = study.pretrain(
            config, seed, osp.join(work_dir, name), start, test=False)
    scores = {}
    for name, backbone in backbones.items():
        out = osp.join(work_dir, name, 'validation_probes.json')
        study.stage(f'{name}: probes on the validation scenes', [
            'projects/transfer_study/tools/probe_backbone.py', probe_config,
            '--checkpoint', backbone, '--scenes', 'validation', '--seed',
            str(seed), '--out', out
        ], out)
        probes = read_json(osp.join(root, out))
        scores[name] = dict(probes, mean=statistics.mean(
            probes[p] for p in PROBES))
    chosen = max(candidates, key=lambda name: scores[name]['mean'])
    result = dict(seed=seed, candidates=candidates, scores=scores,
                  chosen=chosen, seconds_run=round(study.seconds, 1))
    write_json(osp.join(root, work_dir, 'selection.json'), result)
    return result


def selection_table(result: dict) -> str:
    """One line per candidate (and the starting point): its validation
    probes and their mean, the chosen one marked."""
    width = max(map(len, result['scores'])) + 4
    lines = [f'{"":<{width}}' + ''.join(f'{p[:12]:>14}' for p in PROBES) +
             f'{"mean":>8}']
    for name, score in result['scores'].items():
        mark = ' *' if name == result['chosen'] else ''
        lines.append(f'{name + mark:<{width}}' +
                     ''.join(f'{score[p]:>14.2f}' for p in PROBES) +
                     f'{score["mean"]:>8.2f}')
    return '\n'.join(lines)
