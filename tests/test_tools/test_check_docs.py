"""tools/misc/check_docs.py: on a small repository with every kind of
breakage, on anchors and their GitHub slugs, and on this repository's
README, docs and projects."""
import importlib.util
import os.path as osp
import sys
import textwrap

import pytest

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))


def problems_of(run_tool, repo, *args):
    """(exit status, the problem lines, the count line) of a check of
    ``repo``."""
    proc = run_tool(
        [sys.executable, 'tools/misc/check_docs.py', str(repo), *args],
        check=False)
    lines = proc.stdout.splitlines()
    return proc.returncode, lines[:-1], lines[-1]


def test_every_kind_of_breakage_is_named(run_tool, tmp_path):
    repo = tmp_path / 'repo'
    write(repo / 'tools' / 'good.py',
          'import argparse\nargparse.ArgumentParser().parse_args()\n')
    write(repo / 'tools' / 'broken.py', 'raise SystemExit("no parser")\n')
    write(repo / 'tools' / 'run.sh', 'echo running\nexit 3\n')
    write(repo / 'configs' / 'a.py', 'x = 1\n')
    write(repo / 'resources' / 'plot.png', 'png')
    write(tmp_path / 'outside.md', 'outside')
    write(repo / 'README.md', '''\
        # Title
        See [the guide](docs/guide.md#setup), [the web](https://example.org)
        and [this section](#title); ![plot](resources/plot.png).

        ```bash
        python tools/good.py configs/a.py
        python tools/broken.py configs/missing.py
        bash tools/run.sh configs/pretrain/{a,b}.py
        ```
        ''')
    write(repo / 'docs' / 'guide.md', '''\
        ![a plot](../resources/missing.png) and [a note](notes/none.md)
        [a file beside the repository](../../outside.md)
        <img src="../resources/plot.png">

        ~~~
        python tools/absent.py
        ~~~

        ## Setup
        ''')
    status, problems, count = problems_of(run_tool, repo)
    assert status == 1
    assert sorted(problems) == sorted([
        'README.md:7: configs/missing.py does not exist',
        'README.md:7: tools/broken.py --help exits with 1: no parser',
        'README.md:8: tools/run.sh --help exits with 3: ',
        'docs/guide.md:1: ../resources/missing.png does not exist',
        'docs/guide.md:1: notes/none.md does not exist',
        'docs/guide.md:2: ../../outside.md points outside the repository',
        'docs/guide.md:6: tools/absent.py does not exist',
    ])
    assert count == '7 problems in 2 documents'

    # --no-help leaves the tools alone
    status, problems, count = problems_of(run_tool, repo, '--no-help')
    assert not [p for p in problems if '--help' in p]
    assert count == '5 problems in 2 documents'

    write(repo / 'docs' / 'guide.md', '# Setup\n')
    write(repo / 'tools' / 'broken.py', (repo / 'tools' / 'good.py').read_text())
    write(repo / 'tools' / 'run.sh', 'echo usage\n')
    write(repo / 'configs' / 'missing.py', '')
    status, problems, count = problems_of(run_tool, repo)
    assert status == 0, problems
    assert count == '0 problems in 2 documents'


def test_anchors_are_checked_against_the_headings(run_tool, tmp_path):
    repo = tmp_path / 'repo'
    write(repo / 'docs' / 'guide.md', '''\
        # The guide

        ## What `make demo` runs

        ## Ablations (Table 3) on the demo: H1 & H2

        ## Results
        ### Results

        ## Results

        Set-up, the slow part
        ---------------------

        <a id="kept-by-hand"></a>

        ```bash
        # not a heading
        ```
        ''')
    write(repo / 'README.md', '''\
        # mmbrain

        [ok](docs/guide.md#what-make-demo-runs)
        [ok](docs/guide.md#ablations-table-3-on-the-demo-h1--h2)
        [ok](docs/guide.md#results) [ok](docs/guide.md#results-1)
        [ok](docs/guide.md#results-2) [ok](docs/guide.md#set-up-the-slow-part)
        [ok](docs/guide.md#kept-by-hand) [ok](#mmbrain)
        [a file that is not markdown](docs/guide.txt#L3)

        [bad](docs/guide.md#results-3)
        [bad](docs/guide.md#not-a-heading) and [bad](#the-guide)
        [bad](docs/guide.md#What-make-demo-runs)
        ''')
    write(repo / 'docs' / 'guide.txt', 'text\n')
    status, problems, count = problems_of(run_tool, repo, '--no-help')
    assert status == 1
    assert problems == [
        'README.md:10: no heading for #results-3 in docs/guide.md',
        'README.md:11: no heading for #not-a-heading in docs/guide.md',
        'README.md:11: no heading for #the-guide in README.md',
        'README.md:12: no heading for #What-make-demo-runs in docs/guide.md',
    ]
    assert count == '4 problems in 2 documents'


def test_projects_are_checked(run_tool, tmp_path):
    repo = tmp_path / 'repo'
    write(repo / 'README.md', '# Top\n[the study](projects/study/README.md#usage)\n')
    write(repo / 'projects' / 'study' / 'tools' / 'run.py',
          'import argparse\nargparse.ArgumentParser().parse_args()\n')
    write(repo / 'projects' / 'study' / 'configs' / 'a.py', 'x = 1\n')
    write(repo / 'projects' / 'study' / 'README.md', '''\
        # Study

        ## Description

        See [the results](results.md#the-first-run) and
        [the library](../../README.md#top).

        ```bash
        python projects/study/tools/run.py projects/study/configs/a.py
        python projects/study/tools/gone.py
        ```
        ''')
    write(repo / 'projects' / 'study' / 'results.md', '# Results\n')
    status, problems, count = problems_of(run_tool, repo)
    assert status == 1
    assert problems == [
        'README.md:2: no heading for #usage in projects/study/README.md',
        'projects/study/README.md:5: no heading for #the-first-run in '
        'projects/study/results.md',
        'projects/study/README.md:10: projects/study/tools/gone.py does not '
        'exist',
    ]
    assert count == '3 problems in 3 documents'

    write(repo / 'projects' / 'study' / 'tools' / 'gone.py',
          'raise SystemExit("no parser")\n')
    status, problems, _ = problems_of(run_tool, repo)
    assert ('projects/study/README.md:10: projects/study/tools/gone.py '
            '--help exits with 1: no parser') in problems


def test_the_repository_docs_resolve(run_tool):
    """README, docs/ and projects/ of this repository: every link, anchor
    and named path resolves."""
    proc = run_tool([sys.executable, 'tools/misc/check_docs.py', '--no-help'],
                    check=False)
    assert proc.returncode == 0, proc.stdout


def load_check_docs():
    """tools/misc/check_docs.py as a module."""
    path = osp.join(ROOT, 'tools', 'misc', 'check_docs.py')
    spec = importlib.util.spec_from_file_location('check_docs', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CHECK_DOCS = load_check_docs()


@pytest.mark.parametrize('tool', sorted(CHECK_DOCS.path_problems(ROOT)[1]))
def test_every_tool_the_docs_name_answers_help(tool):
    """The check's other half, a test per tool (each imports torch and
    OpenMMLab: seconds): the tool answers ``--help``."""
    assert CHECK_DOCS.help_problem(ROOT, tool, sys.executable) == ''
