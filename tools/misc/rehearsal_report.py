"""The machinery of ``gpu_rehearsal.py``'s report: a time budget, sections
run guarded against it, their tables (every field planned before a section
runs, so that the JSON has the same fields whatever happens) and the
outputs (``rehearsal.json``, ``rehearsal.md`` and the last line's
figures)."""
import contextlib
import gc
import json
import math
import os.path as osp
import signal
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from typing import Callable, Dict, Sequence, Tuple

import torch

from mmbrain.utils import atomic_file

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


class BudgetSpent(BaseException):
    """The run's time budget ran out: a BaseException, so that no library's
    ``except Exception`` swallows it."""


class SectionSkipped(Exception):
    """A section that cannot run here, with the reason."""


class Budget:
    """Seconds left of ``seconds`` from now, and :meth:`alarm`."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.start = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def left(self) -> float:
        return self.seconds - self.elapsed()

    @contextlib.contextmanager
    def alarm(self):
        """Raises :class:`BudgetSpent` where the main thread is when the
        budget ends (SIGALRM; elsewhere it only skips what is left)."""
        if (threading.current_thread() is not threading.main_thread()
                or not hasattr(signal, 'setitimer')):
            yield
            return

        def ring(*_):
            raise BudgetSpent(f'the budget of {self.seconds:g} s ran out')

        previous = signal.signal(signal.SIGALRM, ring)
        signal.setitimer(signal.ITIMER_REAL, max(self.left(), 1e-3))
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


class ReportContext:
    """What the machinery needs of a run: ``args`` (``sections``,
    ``budget_s``, ``out``, ``device``), its budget and the tables so far,
    by section name."""

    def __init__(self, args):
        self.args = args
        self.device = args.device
        self.budget = Budget(args.budget_s)
        self.tables: Dict[str, 'Table'] = {}


def one_line(error: BaseException) -> str:
    """``Type: first line of the message``, at most 300 characters."""
    text = str(error).strip().splitlines()
    line = f'{type(error).__name__}: {text[0]}' if text else \
        type(error).__name__
    return line[:300]


def numeric(value) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def free_memory(device: str):
    gc.collect()
    if device.startswith('cuda'):
        torch.cuda.empty_cache()


@dataclass
class Section:
    name: str
    title: str
    run: Callable  # run(ctx, table) fills table.info and table.rows
    info: Tuple[str, ...]
    fields: Tuple[str, ...]
    plan: Callable = lambda ctx: []  # the key fields of each row
    derived: Tuple[str, ...] = ()  # fields computed from other sections


def fill_row(row: dict, reason: str, keep: Sequence[str] = ()):
    """Sets every None field of ``row`` but those in ``keep`` to
    ``reason``."""
    for k, v in row.items():
        if v is None and k not in keep:
            row[k] = reason


class Table:
    """A section's result: ``info`` and ``rows``, every field None until
    measured, then :meth:`fill` gives the rest a reason."""

    def __init__(self, section: Section, ctx: ReportContext):
        self.section = section
        self.status, self.note, self.seconds = 'pending', '', 0.
        self.traceback = None
        self.info = dict.fromkeys(section.info)
        self.rows = [
            dict(dict.fromkeys(section.fields), **key)
            for key in section.plan(ctx)
        ]

    @property
    def reason(self) -> str:
        """What a field left unmeasured says."""
        if self.status == 'ok':
            return 'not measured'
        return f'{self.status}: {self.note}'

    def row(self, **key) -> dict:
        for row in self.rows:
            if all(row[k] == v for k, v in key.items()):
                return row
        raise KeyError(f'{self.section.name} has no row {key}')

    def fill(self, reason: str):
        for fields in [self.info, *self.rows]:
            fill_row(fields, reason, keep=self.section.derived)

    def to_json(self) -> dict:
        return dict(
            title=self.section.title,
            status=self.status,
            note=self.note,
            seconds=round(self.seconds, 3),
            traceback=self.traceback,
            info=self.info,
            rows=self.rows)


def run_section(section: Section, ctx: ReportContext) -> Table:
    """Runs one section, guarded: its table, every field a value or the
    reason it has none."""
    table = Table(section, ctx)
    ctx.tables[section.name] = table
    if section.name not in ctx.args.sections:
        table.status, table.note = 'skipped', 'not in --sections'
    elif ctx.budget.left() <= 0:
        table.status = 'skipped'
        table.note = f'the budget of {ctx.args.budget_s:g} s was spent'
    else:
        start = time.perf_counter()
        try:
            with ctx.budget.alarm():
                section.run(ctx, table)
            table.status = 'ok'
        except BudgetSpent as e:
            table.status, table.note = 'stopped', f'{e} during it'
        except SectionSkipped as e:
            table.status, table.note = 'skipped', str(e)
        except (Exception, SystemExit) as e:
            # one section's failure (SystemExit: how the benchmarks name a
            # user's mistake, e.g. batch_voxels)
            table.status, table.note = 'error', one_line(e)
            table.traceback = traceback.format_exc()
            print(table.traceback, file=sys.stderr)
        table.seconds = time.perf_counter() - start
        free_memory(ctx.device)
    table.fill(table.reason)
    return table


def derive(ctx: ReportContext):
    """The fields computed from other sections: the loader's and the
    ceiling's rates over the best step rate measured."""
    rates = [
        row['samples_per_s'] for name in ('pretrain_eager',
                                          'pretrain_compiled')
        for row in getattr(ctx.tables.get(name), 'rows', [])
        if numeric(row['samples_per_s'])
    ]
    best = max(rates) if rates else None
    for name in ('loader', 'ceiling'):
        for row in getattr(ctx.tables.get(name), 'rows', []):
            rate = row['samples_per_s']
            if not numeric(rate):
                row['over_step'] = rate  # the reason it has none
            elif best:
                row['over_step'] = rate / best
            else:
                row['over_step'] = 'n/a: no step rate measured'


def git_commit() -> str:
    """HEAD's hash, ``+changes`` where the tree differs from it."""
    try:
        commit = subprocess.run(['git', 'rev-parse', 'HEAD'], cwd=REPO,
                                capture_output=True, text=True,
                                check=True).stdout.strip()
        dirty = subprocess.run(['git', 'status', '--porcelain'], cwd=REPO,
                               capture_output=True, text=True).stdout
        return commit + ('+changes' if dirty.strip() else '')
    except (OSError, subprocess.CalledProcessError) as e:
        return f'unknown: {one_line(e)}'


def fmt(value, field: str = '') -> str:
    """A field's value as the Markdown tables show it."""
    if isinstance(value, bool):
        if field == 'passed':
            return 'pass' if value else 'FAIL'
        return 'yes' if value else 'no'
    if isinstance(value, float) and math.isfinite(value):
        if field == 'mfu':
            return f'{value:.1%}'
        if field == 'over_step':
            return f'{value:,.2f}x' if value < 100 else f'{value:,.0f}x'
        if value != 0 and (abs(value) < 1e-2 or abs(value) >= 1e6):
            return f'{value:.2e}'
        return f'{value:.4g}' if abs(value) < 1e3 else f'{value:,.0f}'
    if isinstance(value, (list, tuple)):
        return ', '.join(map(str, value))
    return str(value).replace('|', '\\|')


def markdown(report: dict) -> str:
    """The report's tables; a field that only repeats why its section did
    not run (said once above the table) is a dash."""
    lines = [
        '# GPU rehearsal', '',
        f'`{report["command"]}` at {report["commit"]}, '
        f'{report["started"]}: {report["elapsed_s"]:.0f} s of a '
        f'{report["budget_s"]:g} s budget.', ''
    ]
    for name, section in report['sections'].items():
        said = f'{section["status"]}: {section["note"]}'

        def show(value, field):
            return '–' if value == said else fmt(value, field)

        lines += [f'## {section["title"]}', '',
                  f'{section["status"]} in {section["seconds"]:.1f} s'
                  f'{": " + section["note"] if section["note"] else ""}', '']
        if section['info']:
            lines += ['| | |', '|---|---|']
            lines += [f'| {k} | {show(v, k)} |'
                      for k, v in section['info'].items()]
            lines.append('')
        if section['rows']:
            fields = list(section['rows'][0])
            lines += ['| ' + ' | '.join(fields) + ' |',
                      '|' + '---|' * len(fields)]
            lines += ['| ' + ' | '.join(show(row[f], f) for f in fields) +
                      ' |' for row in section['rows']]
            lines.append('')
        if name == 'correctness':
            lines += ['max_rel_err is the max abs error over the largest '
                      'magnitude of the CPU fp32 reference; a check passes '
                      'when it is at most the tolerance.', '']
    return '\n'.join(lines)


def summary(report: dict) -> Dict[str, float]:
    """The last line's figures (nan where not measured)."""
    sections = report['sections']
    statuses = [s['status'] for s in sections.values()]
    checks = [r['passed'] for name in ('correctness', 'mmcv')
              for r in sections[name]['rows']
              if isinstance(r['passed'], bool)]
    steps = [r for name in ('pretrain_eager', 'pretrain_compiled')
             for r in sections[name]['rows'] if numeric(r['samples_per_s'])]
    best = max(steps, key=lambda r: r['samples_per_s'], default={})

    def best_of(name, field):
        values = [r[field] for r in sections[name]['rows']
                  if numeric(r[field])]
        return max(values) if values else math.nan

    return dict(
        sections_ok=statuses.count('ok'),
        sections_failed=statuses.count('error'),
        sections_skipped=len(statuses) - statuses.count('ok') -
        statuses.count('error'),
        checks_passed=checks.count(True),
        checks_failed=checks.count(False),
        best_samples_per_s=best.get('samples_per_s', math.nan),
        best_batch=best.get('batch', math.nan),
        best_mfu=best['mfu'] if numeric(best.get('mfu')) else math.nan,
        ceiling_samples_per_s=best_of('ceiling', 'samples_per_s'),
        loader_samples_per_s=best_of('loader', 'samples_per_s'),
        elapsed_s=report['elapsed_s'])


def write_outputs(ctx: ReportContext, report: dict,
                  order: Sequence[str]) -> str:
    """Completes ``report`` with the tables so far, in ``order``, writes it
    to ``rehearsal.json`` and ``rehearsal.md`` in ``ctx.args.out``
    (atomically) and returns the Markdown."""
    derive(ctx)
    report.update(elapsed_s=round(ctx.budget.elapsed(), 3),
                  sections={name: ctx.tables[name].to_json()
                            for name in order if name in ctx.tables})
    text = markdown(report)
    with atomic_file(osp.join(ctx.args.out, 'rehearsal.json')) as f:
        f.write(json.dumps(report, indent=1, default=str) + '\n')
    with atomic_file(osp.join(ctx.args.out, 'rehearsal.md')) as f:
        f.write(text + '\n')
    return text
