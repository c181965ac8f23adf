"""Pipeline stages as slurm jobs through submitit: a drop-in for
:func:`~.stages.run_stage`."""
import re
import subprocess
import threading
import time
from typing import List, Optional, Tuple

import submitit
from submitit.core.utils import UncompletedJobError

from .stages import LOG_TAIL, StageError, stage_echo, thread_env


def run_command(args: List[str], cwd: str,
                threads: Optional[int]) -> Tuple[int, float]:
    """What a stage's job runs: ``args`` in ``cwd``, their stderr into the
    job's stdout; returns their exit status and seconds."""
    start = time.time()
    done = subprocess.run(args,
                          cwd=cwd,
                          env=thread_env(threads),
                          stderr=subprocess.STDOUT)
    return done.returncode, time.time() - start


class StageJobError(StageError):
    """A stage whose slurm job failed.

    Args:
        returncode (int, optional): The command's exit status; None when
            the job failed before it finished (timed out, cancelled,
            lost, or the command did not start).
        cmd (list[str]): The command.
        title (str): The stage.
        job (submitit.Job): Its job.
    """

    def __init__(self, returncode: Optional[int], cmd: List[str], title: str,
                 job: submitit.Job):
        super().__init__(returncode, cmd, title)
        self.job_id = job.job_id
        self.logs = (str(job.paths.stdout), str(job.paths.stderr))

    def __str__(self) -> str:
        ended = (f'exited with {self.returncode}' if self.returncode
                 is not None else 'failed before its command finished')
        return (f'stage {self.title!r}: slurm job {self.job_id} {ended}; '
                f'its logs: {self.logs[0]} and {self.logs[1]}')


class SlurmStages:
    """Runs each stage as a slurm job, called as
    :func:`~.stages.run_stage` is, so a pipeline takes either.

    A call echoes the stage, submits its command as a job named after the
    title and waits for it: the calling thread's next stage is submitted
    only once this one succeeded (that is the dependency between the
    stages of a run; runs in threads of their own go in parallel). The
    command runs in ``cwd`` on the node, which must see the same files.

    Args:
        folder (str): Where submitit keeps the jobs and their logs;
            ``%j`` is the job id (``<work_dir>/slurm/%j``).
        cluster (str, optional): submitit's executor: None picks slurm
            where it is installed; ``'local'`` runs jobs as local processes
            (tests).
        partition (str, optional): ``--partition``.
        gpus_per_node (int, optional): ``--gpus-per-node``.
        cpus_per_task (int, optional): ``--cpus-per-task``, and the
            threads of a call given none.
        timeout_min (int): ``--time``, in minutes. Default: 24 h.
        mem_gb (float, optional): ``--mem``, in GB.
        slurm_additional (dict, optional): More sbatch options, by name
            without the dashes (``dict(account='brain', qos='high')``).
    """

    def __init__(self,
                 folder: str,
                 cluster: Optional[str] = None,
                 partition: Optional[str] = None,
                 gpus_per_node: Optional[int] = None,
                 cpus_per_task: Optional[int] = None,
                 timeout_min: int = 24 * 60,
                 mem_gb: Optional[float] = None,
                 slurm_additional: Optional[dict] = None):
        self.executor = submitit.AutoExecutor(folder, cluster=cluster)
        # None leaves a parameter unset
        self.executor.update_parameters(
            slurm_partition=partition,
            gpus_per_node=gpus_per_node,
            cpus_per_task=cpus_per_task,
            timeout_min=timeout_min,
            mem_gb=mem_gb,
            slurm_additional_parameters=slurm_additional)
        self.cpus_per_task = cpus_per_task
        # a job's name is set and the job submitted in one go
        self.lock = threading.Lock()

    def __call__(self,
                 title: str,
                 args: List[str],
                 cwd: str,
                 log: Optional[str] = None,
                 threads: Optional[int] = None) -> float:
        """Run one tool call as a job in ``cwd``, echoing it; returns the
        seconds the call ran (the time queued not counted).

        Args:
            log (str, optional): Append the echo and then the job's output
                (stdout, then stderr) to this file instead of showing the
                output; its last lines are shown if the job fails.
            threads (int, optional): The CPU threads the call may use
                (``OMP_NUM_THREADS`` and ``MKL_NUM_THREADS``); default:
                ``cpus_per_task``, or all.

        A failed job raises :class:`StageJobError`, a
        ``CalledProcessError`` naming the stage, the job and its logs.
        """
        echo = stage_echo(title, args)
        print(echo, flush=True)
        if log is not None:
            with open(log, 'a') as f:
                f.write(echo + '\n')
        threads = threads or self.cpus_per_task
        with self.lock:
            self.executor.update_parameters(
                name=re.sub(r'[^\w.-]+', '_', title).strip('_'))
            job = self.executor.submit(run_command, list(args), cwd, threads)
        print(f'--- slurm job {job.job_id}, its output in {job.paths.stdout}',
              flush=True)
        cause = None
        try:
            returncode, seconds = job.result()
        except UncompletedJobError as error:
            returncode, cause = None, error
        output = (job.stdout() or '') + (job.stderr() or '')
        if log is None:
            print(output, end='', flush=True)
        else:
            with open(log, 'a') as f:
                f.write(output)
        if returncode != 0:
            if log is not None:
                tail = output.splitlines(keepends=True)[-LOG_TAIL:]
                print(f'--- failed: {title}; the end of job {job.job_id}\'s '
                      'output:\n' + ''.join(tail),
                      flush=True)
            raise StageJobError(returncode, args, title, job) from cause
        print(f'--- done in {seconds:.1f}s: {title}', flush=True)
        return seconds
