"""tools/misc/check_docs.py: on a small repository with every kind of
breakage, and on this repository's README and docs."""
import sys
import textwrap


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))


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
        ''')
    proc = run_tool([sys.executable, 'tools/misc/check_docs.py', str(repo)],
                    check=False)
    assert proc.returncode == 1
    problems = proc.stdout.splitlines()[:-1]
    assert sorted(problems) == sorted([
        'README.md:7: configs/missing.py does not exist',
        'README.md:7: tools/broken.py --help exits with 1: no parser',
        'README.md:8: tools/run.sh --help exits with 3: ',
        'docs/guide.md:1: ../resources/missing.png does not exist',
        'docs/guide.md:1: notes/none.md does not exist',
        'docs/guide.md:2: ../../outside.md points outside the repository',
        'docs/guide.md:6: tools/absent.py does not exist',
    ])
    assert proc.stdout.splitlines()[-1] == '7 problems in 2 documents'

    write(repo / 'docs' / 'guide.md', '# nothing to check\n')
    write(repo / 'tools' / 'broken.py', (repo / 'tools' / 'good.py').read_text())
    write(repo / 'tools' / 'run.sh', 'echo usage\n')
    write(repo / 'configs' / 'missing.py', '')
    proc = run_tool([sys.executable, 'tools/misc/check_docs.py', str(repo)],
                    check=False)
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.strip() == '0 problems in 2 documents'


def test_the_readme_and_docs_check(run_tool):
    proc = run_tool([sys.executable, 'tools/misc/check_docs.py'], check=False)
    assert proc.returncode == 0, proc.stdout
