"""The command line of the frozen-backbone probes
(``tools/analysis_tools/probe_*.py``)."""
import argparse
import os.path as osp
from typing import Callable

import torch
from mmengine.config import DictAction

from mmbrain.utils import load_tool_config, write_json
from .robustness import choose_corruptions, print_conditions


def probe_main(description: str, probe: Callable, default_out: str):
    """Parse ``CONFIG [--checkpoint] [--work-dir] [--out] [--corruptions]
    [--cfg-options]``, run ``probe(cfg, device)`` and print and write its
    metrics (and per-corruption ``conditions``) as json."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('config')
    parser.add_argument('--checkpoint', help='an exported backbone')
    parser.add_argument('--work-dir')
    parser.add_argument('--out', help=f'metrics json (default: work dir '
                        f'/{default_out})')
    parser.add_argument(
        '--corruptions', nargs='+',
        help="names, 'benchmark' (15 corruptions x severities 1-5) or "
        "'none' (default: the config's)")
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args()
    cfg = load_tool_config(args.config, 'none', args.cfg_options,
                           args.work_dir)
    choose_corruptions(cfg, args.corruptions)
    if args.checkpoint:
        cfg.model.backbone.init_cfg = dict(
            type='Pretrained', checkpoint=args.checkpoint, prefix='backbone.')
    result = probe(cfg, 'cuda' if torch.cuda.is_available() else 'cpu')
    print(', '.join(f'{v} {k}' for k, v in result.shapes.items()) + '; ' +
          ', '.join(f'{k} {v:.1f}s' for k, v in result.seconds.items()))
    print_conditions(result.conditions)
    width = max(map(len, result.metrics))
    print('\n'.join(f'{k:<{width}}  {v:.4g}'
                    for k, v in result.metrics.items()))
    out = args.out or osp.join(cfg.work_dir, default_out)
    write_json(out, dict(result.metrics, conditions=result.conditions))
    print(f'metrics written to {out}')
