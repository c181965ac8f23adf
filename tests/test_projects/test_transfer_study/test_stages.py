"""The study's run_stage: a tool call echoed and timed, its output shown or
kept in a log, its threads set."""
import subprocess
import sys

import pytest

from mmbrain.utils import UserError
from projects.transfer_study.transfer_study.stages import (StageError,
                                                          move_aside,
                                                          run_stage)


def test_a_stage_shows_its_call_and_output(tmp_path, capfd):
    seconds = run_stage('say', [sys.executable, '-c', 'print("hel" "lo")'],
                        str(tmp_path))
    out = capfd.readouterr().out
    assert out.index('=== say') < out.index('-c') < out.index('\nhello\n')
    assert seconds > 0 and '--- done in' in out


def test_a_logged_stage_keeps_its_output_and_threads(tmp_path, capfd):
    """With a log the output goes there, after the echoed call; threads
    reach the call as OMP_NUM_THREADS, which torch follows."""
    log = tmp_path / 'stages.log'
    log.write_text('earlier\n')
    code = ('import os, torch; print(os.environ["OMP_NUM_THREADS"], '
            'torch.get_num_threads())')
    run_stage('threads', [sys.executable, '-c', code], str(tmp_path),
              str(log), threads=1)
    lines = log.read_text().splitlines()
    assert lines[0] == 'earlier' and lines[2] == '=== threads'
    assert lines[-1] == '1 1'
    assert '1 1' not in capfd.readouterr().out


def test_a_failed_logged_stage_shows_the_end_of_its_log(tmp_path, capfd):
    log = str(tmp_path / 'stages.log')
    code = 'import sys; print("\\n".join(map(str, range(100)))); sys.exit(3)'
    with pytest.raises(subprocess.CalledProcessError) as error:
        run_stage('fails', [sys.executable, '-c', code], str(tmp_path), log)
    assert error.value.returncode == 3
    out = capfd.readouterr().out
    assert f'failed: fails; the end of {log}' in out
    # the last 40 lines of the log
    assert '\n99\n' in out and '\n60\n' in out and '\n59\n' not in out


def test_a_failed_stage_is_one_line_for_its_pipeline(tmp_path, capfd):
    """The call's own output says why; the pipeline's tool reports the
    stage on one line (a UserError), still a CalledProcessError."""
    with pytest.raises(StageError) as error:
        run_stage('fails', [sys.executable, '-c', 'raise SystemExit(2)'],
                  str(tmp_path))
    assert isinstance(error.value, UserError)
    assert isinstance(error.value, subprocess.CalledProcessError)
    assert str(error.value) == (
        "stage 'fails' failed with exit status 2, its output above: "
        f"{sys.executable} -c 'raise SystemExit(2)'")


def test_move_aside_numbers_what_is_taken(tmp_path):
    for n in range(3):
        (tmp_path / 'probes.json').write_text(str(n))
        aside = move_aside(str(tmp_path / 'probes.json'), '.damaged')
    assert aside == str(tmp_path / 'probes.json.damaged3')
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        'probes.json.damaged', 'probes.json.damaged2', 'probes.json.damaged3']
    assert (tmp_path / 'probes.json.damaged2').read_text() == '1'
