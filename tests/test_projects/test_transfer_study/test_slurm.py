"""The study's SlurmStages: stages as jobs through submitit, here its local
executor (real processes), called as run_stage is."""
import subprocess
import sys

import pytest

from projects.transfer_study.transfer_study.slurm import SlurmStages


@pytest.fixture
def stages(tmp_path):
    """A :class:`SlurmStages` on submitit's local executor."""
    return SlurmStages(str(tmp_path / 'slurm' / '%j'),
                       cluster='local',
                       partition='ignored-locally',
                       timeout_min=5)


def test_a_logged_stage_runs_as_a_job_in_cwd(stages, tmp_path, capsys):
    """The job runs in cwd with the threads given; the log gets the echo
    and then the job's output."""
    work = tmp_path / 'work'
    work.mkdir()
    log = tmp_path / 'stages.log'
    log.write_text('earlier\n')
    code = ('import os; threads = os.environ["OMP_NUM_THREADS"]; '
            'open("threads.txt", "w").write(threads); print("job says hi")')
    seconds = stages('seed0/random: pretrain', [sys.executable, '-c', code],
                     str(work),
                     str(log),
                     threads=3)
    assert seconds > 0
    assert (work / 'threads.txt').read_text() == '3'
    lines = log.read_text().splitlines()
    assert lines[:3] == ['earlier', '', '=== seed0/random: pretrain']
    assert lines[3].startswith('$ ') and 'job says hi' in lines[4:]
    out = capsys.readouterr().out
    assert '=== seed0/random: pretrain' in out and '--- slurm job' in out
    assert '\njob says hi\n' not in out and '--- done in' in out


def test_a_stage_without_a_log_shows_the_job_output(stages, tmp_path, capsys):
    stages('say', [sys.executable, '-c', 'print("hel" "lo")'], str(tmp_path))
    out = capsys.readouterr().out
    assert out.index('=== say') < out.index('\nhello\n')


def test_a_failed_stage_names_its_job_and_logs(stages, tmp_path, capsys):
    log = str(tmp_path / 'stages.log')
    code = 'import sys; print("boom"); sys.exit(3)'
    with pytest.raises(subprocess.CalledProcessError) as error:
        stages('explode', [sys.executable, '-c', code], str(tmp_path), log)
    assert error.value.returncode == 3
    job_id = error.value.job_id
    message = str(error.value)
    assert "'explode'" in message and f'job {job_id} exited with 3' in message
    assert f'slurm/{job_id}/{job_id}_0_log.out' in message
    out = capsys.readouterr().out
    assert f"failed: explode; the end of job {job_id}'s output" in out
    assert 'boom' in out
