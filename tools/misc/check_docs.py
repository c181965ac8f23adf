"""Check the README, docs/ and projects/ against the repository.

    python tools/misc/check_docs.py [ROOT] [--no-help]

Reports, as ``file:line: problem``, in ``README.md``, ``docs/**/*.md`` and
``projects/**/*.md``:

- every relative link or image that does not resolve or points outside ROOT;
- every anchor (``file.md#anchor``, or ``#anchor`` within the page) that no
  heading of the target markdown file makes, slugged as GitHub slugs them;
- every ``tools/...``, ``configs/...`` or ``projects/...`` path named in a
  fenced code block that does not exist;
- every tool so named (``tools/**``, ``projects/<name>/tools/**``) that does
  not answer ``--help`` (``--no-help`` skips that, the slow part).

Exit status 1 when there is one.
"""
import argparse
import os
import os.path as osp
import re
import subprocess
import sys
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Set, Tuple
from urllib.parse import unquote

LINK = re.compile(r'!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)')
HTML_SRC = re.compile(r'<(?:img|a)\s[^>]*(?:src|href)="([^"]+)"')
HTML_ID = re.compile(r'<[a-zA-Z][^>]*\s(?:id|name)="([^"]+)"')
FENCE = re.compile(r'^\s*(```|~~~)')
ATX_HEADING = re.compile(r'^ {0,3}(#{1,6})(?:\s+(.*?))?\s*$')
SETEXT_UNDERLINE = re.compile(r'^ {0,3}(=+|-+)\s*$')
# a path under tools/, configs/ or projects/, not part of a longer path
REPO_PATH = re.compile(
    r'(?<![\w./-])((?:tools|configs|projects)/[\w./{}*<>$-]*)')
PROJECT_TOOL = re.compile(r'projects/[^/]+/tools/')
PATTERN_CHARS = set('{}*<>$')
DOC_FOLDERS = ('docs', 'projects')


def documents(root: str) -> List[str]:
    """README.md and every markdown file under docs/ and projects/,
    sorted."""
    found = [osp.join(root, 'README.md')]
    for top in DOC_FOLDERS:
        for folder, dirs, files in os.walk(osp.join(root, top)):
            dirs[:] = [d for d in dirs if not d.startswith('.')]
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


def slug(text: str) -> str:
    """The anchor GitHub gives a heading of this text (before duplicates
    are numbered): the rendered text lowercased, every character that is
    not a letter, mark, number, connector (``_``), space or hyphen removed,
    and each space turned into a hyphen."""
    text = re.sub(r'!?\[([^\]]*)\]\([^)]*\)', r'\1', text)  # links: text
    text = re.sub(r'<[^>]+>', '', text)  # inline HTML tags
    kept = [
        c for c in text.strip().lower()
        if c in ' -' or unicodedata.category(c)[0] in 'LMN'
        or unicodedata.category(c) == 'Pc'
    ]
    return ''.join(kept).replace(' ', '-')


def anchors(path: str) -> Set[str]:
    """Every anchor of the markdown file ``path``: its headings (ATX and
    setext) slugged, a repeated slug numbered ``-1``, ``-2``, ... as GitHub
    does, and the ``id``/``name`` of its HTML elements."""
    found: Set[str] = set()
    seen: Dict[str, int] = {}

    def add(text):
        base = slug(text)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f'{base}-{count}')

    previous = ''  # the last line of a paragraph, for setext headings
    for _, text, fenced in _lines(path):
        if fenced:
            previous = ''
            continue
        found.update(HTML_ID.findall(text))
        atx = ATX_HEADING.match(text)
        if atx:
            add(re.sub(r'\s+#+$', '', atx.group(2) or ''))
            previous = ''
        elif SETEXT_UNDERLINE.match(text) and previous:
            add(previous)
            previous = ''
        elif (text.strip() and not text.lstrip().startswith(
                ('|', '-', '*', '+', '>', '<'))
              and not re.match(r'\s*\d+[.)]\s', text)
              and not text.startswith(('    ', '\t'))):
            previous = text.strip()
        else:
            previous = ''
    return found


def link_problems(root: str, path: str,
                  cache: Dict[str, Set[str]] = None) -> List[str]:
    """Relative links and images of ``path`` that do not resolve inside
    ``root``, and anchors that no heading of their markdown file makes.
    ``cache`` keeps each target's anchors between calls."""
    problems = []
    cache = {} if cache is None else cache
    real_root = osp.realpath(root)
    for number, text, fenced in _lines(path):
        if fenced:
            continue
        for target in LINK.findall(text) + HTML_SRC.findall(text):
            if re.match(r'[a-z][a-z0-9+.-]*:', target):
                continue  # a URL
            file_part, _, anchor = target.partition('#')
            where = f'{osp.relpath(path, root)}:{number}'
            resolved = (osp.realpath(path) if not file_part else osp.realpath(
                osp.join(osp.dirname(path), file_part)))
            if osp.commonpath([resolved, real_root]) != real_root:
                problems.append(f'{where}: {target} points outside the '
                                'repository')
                continue
            if not osp.exists(resolved):
                problems.append(f'{where}: {target} does not exist')
                continue
            if not anchor or not resolved.endswith('.md') or not osp.isfile(
                    resolved):
                continue  # no anchor, or one of a file that is not markdown
            if resolved not in cache:
                cache[resolved] = anchors(resolved)
            if unquote(anchor) not in cache[resolved]:
                problems.append(f'{where}: no heading for #{anchor} in '
                                f'{osp.relpath(resolved, real_root)}')
    return problems


def code_paths(root: str, path: str) -> List[Tuple[int, str]]:
    """(line, path) of every ``tools/``, ``configs/`` or ``projects/`` path
    in the fenced code blocks of ``path``; patterns (braces, globs,
    placeholders) are left out."""
    named = []
    for number, text, fenced in _lines(path):
        if not fenced:
            continue
        for match in REPO_PATH.findall(text):
            candidate = match.rstrip('.,:;')
            if candidate and not PATTERN_CHARS & set(candidate):
                named.append((number, candidate))
    return named


def is_tool(named: str) -> bool:
    """Whether a named path is a tool that should answer ``--help``."""
    return (named.startswith('tools/') or PROJECT_TOOL.match(named)) \
        and named.endswith(('.py', '.sh'))


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


def path_problems(root: str) -> Tuple[List[str], Dict[str, str]]:
    """The problems of the links and named paths of the docs under
    ``root``, and every tool they name, with where it is first named."""
    problems, tools = [], {}
    cache: Dict[str, Set[str]] = {}
    for path in documents(root):
        problems += link_problems(root, path, cache)
        for number, named in code_paths(root, path):
            where = f'{osp.relpath(path, root)}:{number}'
            if not osp.exists(osp.join(root, named)):
                problems.append(f'{where}: {named} does not exist')
            elif is_tool(named):
                tools.setdefault(named, where)
    return problems, tools


def check(root: str, run_help: bool = True,
          python: str = sys.executable) -> List[str]:
    """Every problem of the docs under ``root``, one string each."""
    problems, tools = path_problems(root)
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
