"""Check the README and docs/ against the repository.

    python tools/misc/check_docs.py [ROOT] [--no-help]

Reports, as ``file:line: problem``, every relative link or image in
``README.md`` and ``docs/**/*.md`` that does not resolve or points outside
ROOT, every ``tools/...`` or ``configs/...`` path named in a fenced code block
that does not exist, and every tool so named that does not answer ``--help``
(``--no-help`` skips that, the slow part). Exit status 1 when there is one.
"""
import argparse
import os
import os.path as osp
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Tuple

LINK = re.compile(r'!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)')
HTML_SRC = re.compile(r'<(?:img|a)\s[^>]*(?:src|href)="([^"]+)"')
FENCE = re.compile(r'^\s*(```|~~~)')
# a path under tools/ or configs/, not part of a longer path
REPO_PATH = re.compile(r'(?<![\w./-])((?:tools|configs)/[\w./{}*<>$-]*)')
PATTERN_CHARS = set('{}*<>$')


def documents(root: str) -> List[str]:
    """README.md and every markdown file under docs/, sorted."""
    found = [osp.join(root, 'README.md')]
    for folder, _, files in os.walk(osp.join(root, 'docs')):
        found += [osp.join(folder, f) for f in files if f.endswith('.md')]
    return sorted(p for p in found if osp.isfile(p))


def _lines(path: str):
    """(line number, text, inside a fenced code block) of each line."""
    fenced = False
    with open(path, encoding='utf-8') as f:
        for number, text in enumerate(f, start=1):
            if FENCE.match(text):
                fenced = not fenced
                continue
            yield number, text, fenced


def link_problems(root: str, path: str) -> List[str]:
    """Relative links and images of ``path`` that do not resolve inside
    ``root``."""
    problems = []
    real_root = osp.realpath(root)
    for number, text, fenced in _lines(path):
        if fenced:
            continue
        for target in LINK.findall(text) + HTML_SRC.findall(text):
            if re.match(r'[a-z][a-z0-9+.-]*:', target) or target.startswith(
                    '#'):
                continue  # a URL or an anchor of this page
            file_part = target.split('#')[0]
            resolved = osp.realpath(osp.join(osp.dirname(path), file_part))
            where = f'{osp.relpath(path, root)}:{number}'
            if osp.commonpath([resolved, real_root]) != real_root:
                problems.append(f'{where}: {target} points outside the '
                                'repository')
            elif not osp.exists(resolved):
                problems.append(f'{where}: {target} does not exist')
    return problems


def code_paths(root: str, path: str) -> List[Tuple[int, str]]:
    """(line, path) of every ``tools/``/``configs/`` path in the fenced code
    blocks of ``path``; patterns (braces, globs, placeholders) are left
    out."""
    named = []
    for number, text, fenced in _lines(path):
        if not fenced:
            continue
        for match in REPO_PATH.findall(text):
            candidate = match.rstrip('.,:;')
            if candidate and not PATTERN_CHARS & set(candidate):
                named.append((number, candidate))
    return named


def help_problem(root: str, tool: str, python: str) -> str:
    """'' if ``tool`` answers ``--help`` with status 0, else the problem."""
    command = (['bash', tool] if tool.endswith('.sh') else [python, tool])
    env = dict(os.environ, PYTHONPATH=root)
    try:
        done = subprocess.run(command + ['--help'], cwd=root, env=env,
                              capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        return 'does not answer --help within 300 s'
    if done.returncode != 0 or not done.stdout.strip():
        last = (done.stderr.strip().splitlines() or [''])[-1]
        return f'--help exits with {done.returncode}: {last}'
    return ''


def check(root: str, run_help: bool = True,
          python: str = sys.executable) -> List[str]:
    """Every problem of the docs under ``root``, one string each."""
    problems, tools = [], {}
    for path in documents(root):
        problems += link_problems(root, path)
        for number, named in code_paths(root, path):
            where = f'{osp.relpath(path, root)}:{number}'
            if not osp.exists(osp.join(root, named)):
                problems.append(f'{where}: {named} does not exist')
            elif named.startswith('tools/') and named.endswith(
                    ('.py', '.sh')):
                tools.setdefault(named, where)
    if run_help:
        with ThreadPoolExecutor(max_workers=2) as pool:
            answers: Dict[str, str] = dict(
                zip(tools,
                    pool.map(lambda t: help_problem(root, t, python), tools)))
        problems += [f'{tools[t]}: {t} {answer}'
                     for t, answer in answers.items() if answer]
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        'root', nargs='?',
        default=osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))),
        help='the repository (default: the one holding this tool)')
    parser.add_argument('--no-help', action='store_true',
                        help='do not run the tools with --help')
    args = parser.parse_args()
    problems = check(args.root, run_help=not args.no_help)
    for problem in problems:
        print(problem)
    count = len(documents(args.root))
    print(f'{len(problems)} problems in {count} documents')
    sys.exit(1 if problems else 0)


if __name__ == '__main__':
    main()
