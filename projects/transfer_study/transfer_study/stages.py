"""Pipelines of tool calls (make demo, the transfer study): each stage is a
command a user could type, echoed before it runs."""
import os
import os.path as osp
import shlex
import subprocess
import sys
import time
import warnings
from typing import List, Optional, Protocol

from mmengine.utils import ProgressBar

from mmbrain.utils import JSONFileError, UserError, read_json
from mmbrain.utils.checkpoint import checkpoint_problem

# lines of a failed call's log shown
LOG_TAIL = 40


class StageRunner(Protocol):
    """What runs one stage of the study: a tool call ``args`` (the
    interpreter first) in ``cwd``, echoed as :func:`stage_echo` shows it;
    returns its seconds and raises :class:`StageError` (a
    ``subprocess.CalledProcessError``) when the call fails. :func:`run_stage` runs it here,
    :class:`~.slurm.SlurmStages` as a slurm job.

    Args:
        title (str): What the stage does, shown before it.
        args (list[str]): The command.
        cwd (str): Where it runs (the repository).
        log (str, optional): Append the call's output to this file instead
            of showing it.
        threads (int, optional): The CPU threads the call may use.
    """

    def __call__(self,
                 title: str,
                 args: List[str],
                 cwd: str,
                 log: Optional[str] = None,
                 threads: Optional[int] = None) -> float:
        ...


class StageError(UserError, subprocess.CalledProcessError):
    """A stage whose tool call failed; the call's own output (shown, or the
    end of its log) says why, so a pipeline's tool reports it on one line.

    Args:
        returncode (int, optional): The call's exit status; None when it
            did not finish.
        cmd (list[str]): The call.
        title (str): The stage.
    """

    def __init__(self, returncode: Optional[int], cmd: List[str],
                 title: str):
        subprocess.CalledProcessError.__init__(self, returncode, cmd)
        self.title = title

    def __str__(self) -> str:
        return (f'stage {self.title!r} failed with exit status '
                f'{self.returncode}, its output above: {shlex.join(self.cmd)}')


def result_problem(path: str) -> Optional[str]:
    """What is wrong with a stage's existing result (None if nothing): a
    json file that does not parse, or a checkpoint whose archive is
    damaged (:func:`~mmbrain.utils.checkpoint.checkpoint_problem`)."""
    if path.endswith('.json'):
        try:
            read_json(path)
        except JSONFileError as e:
            return e.problem
    elif path.endswith('.pth'):
        return checkpoint_problem(path)
    return None


def move_aside(path: str, suffix: str) -> str:
    """Rename ``path`` (a file or a folder) to ``<path><suffix>``, or
    ``<path><suffix><N>`` when that is taken; returns the new name."""
    aside, n = path + suffix, 1
    while osp.exists(aside):
        n += 1
        aside = f'{path}{suffix}{n}'
    os.rename(path, aside)
    return aside


def set_aside(path: str, problem: str) -> str:
    """Move a damaged result out of the way (:func:`move_aside` to
    ``<path>.damaged``), with a warning naming both; returns where it
    went."""
    aside = move_aside(path, '.damaged')
    warnings.warn(f'{path}: {problem}; moved to {aside} and redoing its '
                  'stage')
    return aside


def stage_echo(title: str, args: List[str]) -> str:
    """How a stage is shown before it runs: its title and its command."""
    return f'\n=== {title}\n$ {shlex.join(args)}'


def thread_env(threads: Optional[int] = None) -> Optional[dict]:
    """The environment of a call limited to ``threads`` CPU threads
    (``OMP_NUM_THREADS``, which torch follows, and ``MKL_NUM_THREADS``);
    None (the current one) when ``threads`` is None."""
    return None if threads is None else dict(
        os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))


def run_stage(title: str,
              args: List[str],
              cwd: str,
              log: Optional[str] = None,
              threads: Optional[int] = None) -> float:
    """Run one tool call in ``cwd``, echoing it; returns its seconds.

    Args:
        log (str, optional): Append the call's output to this file instead
            of showing it; its last lines are shown if the call fails.
        threads (int, optional): The CPU threads the call may use
            (``OMP_NUM_THREADS``, which torch follows, and
            ``MKL_NUM_THREADS``); default: all.

    A failing call raises :class:`StageError`.
    """
    echo = stage_echo(title, args)
    print(echo, flush=True)
    env = thread_env(threads)
    start = time.time()
    if log is None:
        done = subprocess.run(args, cwd=cwd, env=env)
    else:
        with open(log, 'a') as f:
            f.write(echo + '\n')
            f.flush()
            done = subprocess.run(args, cwd=cwd, env=env, stdout=f,
                                  stderr=subprocess.STDOUT)
        if done.returncode:
            with open(log) as f:
                tail = f.readlines()[-LOG_TAIL:]
            print(f'--- failed: {title}; the end of {log}:\n' +
                  ''.join(tail), flush=True)
    if done.returncode:
        raise StageError(done.returncode, args, title)
    seconds = time.time() - start
    print(f'--- done in {seconds:.1f}s: {title}', flush=True)
    return seconds


class StageProgress:
    """mmengine's ``ProgressBar`` over a pipeline's stages (or runs), with
    the time left, on its own line between the stages' output.

    Args:
        num_stages (int): Stages in all.
    """

    def __init__(self, num_stages: int):
        self.bar = ProgressBar(num_stages, file=sys.stdout)
        print(flush=True)

    def update(self):
        """One more stage done."""
        self.bar.update()
        print(flush=True)
