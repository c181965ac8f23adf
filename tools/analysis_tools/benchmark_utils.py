"""Timing helpers shared by the benchmark scripts beside this file, a
synthetic NSD to time the loader on, and the baseline run that measures an
older commit's step beside today's."""
import inspect
import io
import json
import math
import os
import os.path as osp
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from contextlib import contextmanager
from typing import Callable, Iterator, Sequence, Tuple

import torch
from mmengine.dataset import default_collate
from torch.utils.data import DataLoader


def sync(device: str) -> None:
    if str(device).startswith('cuda'):
        torch.cuda.synchronize()


def timed(fn: Callable, device: str = 'cpu', repeats: int = 3) -> float:
    """Best wall time in seconds of ``repeats`` calls after one warm-up."""
    fn()
    best = math.inf
    for _ in range(repeats):
        sync(device)
        start = time.perf_counter()
        fn()
        sync(device)
        best = min(best, time.perf_counter() - start)
    return best


def dense_matmul_gflops(device: str = 'cpu',
                        size: int = 2048,
                        dtype: torch.dtype = torch.float32) -> float:
    """GFLOP/s of a (size x size) matmul in ``dtype``."""
    a = torch.randn(size, size, device=device, dtype=dtype)
    b = torch.randn(size, size, device=device, dtype=dtype)
    return 2 * size**3 / timed(lambda: a @ b, device, repeats=5) / 1e9


def dense_peak(device: str = 'cpu') -> Tuple[float, str]:
    """The dense ceiling the benchmarks compare against, (GFLOP/s, what it
    is): an 8192 x 8192 bf16 matmul on a GPU (its tensor cores' rate), a
    2048 x 2048 fp32 one on the CPU."""
    if str(device).startswith('cuda'):
        size, dtype, name = 8192, torch.bfloat16, 'bf16'
    else:
        size, dtype, name = 2048, torch.float32, 'fp32'
    return (dense_matmul_gflops(device, size, dtype),
            f'{size}x{size} {name} matmul')


def encoder_kwargs(encoder: torch.nn.Module, inputs: dict) -> dict:
    """The preprocessor's ``inputs`` that ``encoder.forward`` takes (the
    brain entries; ``lengths`` only where the encoder has it), so that one
    call measures encoders of any commit."""
    names = inspect.signature(encoder.forward).parameters
    return {k: inputs[k] for k in names if k in inputs}


# HEAD's instruments in the package, laid over the baseline's so that both
# sides are measured by the same code (this module is the script's own)
INSTRUMENTS = ('mmbrain/utils/op_counter.py', )


@contextmanager
def baseline_tree(ref: str, repo: str) -> Iterator[str]:
    """A temporary folder holding ``mmbrain/`` and ``configs/`` of the git
    revision ``ref`` of ``repo`` (``git archive``), with today's
    :data:`INSTRUMENTS` copied over them."""
    archive = subprocess.run(['git', 'archive', ref, 'mmbrain', 'configs'],
                             cwd=repo,
                             capture_output=True)
    if archive.returncode:
        raise ValueError(f'--baseline {ref}: git archive failed in {repo}: '
                         f'{archive.stderr.decode().strip()}')
    with tempfile.TemporaryDirectory(prefix='mmbrain-baseline-') as tree:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(tree, filter='data')
        for path in INSTRUMENTS:
            shutil.copy(osp.join(repo, path), osp.join(tree, path))
        yield tree


def run_baseline(ref: str, script: str, argv: Sequence[str],
                 repo: str) -> dict:
    """Runs ``python script *argv --worker`` on the package and configs of
    ``ref`` (first on ``PYTHONPATH``, and the working directory, so a
    relative config path reads ``ref``'s config), and returns the JSON
    object that its last line prints."""
    with baseline_tree(ref, repo) as tree:
        path = os.pathsep.join(filter(None, [tree, os.environ.get(
            'PYTHONPATH')]))
        proc = subprocess.run(
            [sys.executable, osp.abspath(script), *argv, '--worker'],
            cwd=tree,
            env=dict(os.environ, PYTHONPATH=path),
            capture_output=True,
            text=True)
    if proc.returncode:
        raise RuntimeError(f'the baseline run at {ref} failed:\n'
                           f'{proc.stderr[-4000:]}')
    return json.loads(proc.stdout.strip().splitlines()[-1])


def print_comparison(rows: Sequence[Tuple[str, float, float]], ref: str,
                     digits: int = 2) -> None:
    """A table of (name, today, at ``ref``) with today over ``ref``."""
    print(f'{"":<26}{"today":>12}{ref[:12]:>14}{"today/" + ref[:6]:>14}')
    for name, now, then in rows:
        ratio = now / then if then else math.nan
        print(f'{name:<26}{now:>12.{digits}f}{then:>14.{digits}f}'
              f'{ratio:>14.3f}')


def loader_rate(dataset,
                workers: int,
                batch_size: int,
                min_seconds: float = 2.0,
                collate_fn: Callable = default_collate) -> float:
    """Samples per second a DataLoader serves over whole passes (at least
    ``min_seconds``), collated by ``collate_fn`` in its workers."""
    loader = DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=True,
        num_workers=workers,
        persistent_workers=workers > 0,
        collate_fn=collate_fn)
    next(iter(loader))  # start the workers, open the files
    samples, start = 0, time.perf_counter()
    while time.perf_counter() - start < min_seconds:
        for batch in loader:
            samples += len(batch['inputs'])
    return samples / (time.perf_counter() - start)


def write_synthetic_nsd(root: str,
                        voxels: Sequence[int],
                        rois: Sequence[str],
                        num_images: int = 1024,
                        img_size: int = 224,
                        raw_size: int = 64,
                        subject: int = 1,
                        seed: int = 0) -> str:
    """A prepared NSD of random data under ``root``, for timing the loader
    where no real one is at hand: the raw image brick (``raw_size`` px)
    with the project's raw writer, its copy resized once to ``img_size``
    (``resize_stimuli``, as ``tools/dataset_converters/resize_stimuli.py``
    writes it) and one subject's cache (``CacheWriter``) of ``num_images``
    images, the first tenth of them the test split, with ``voxels[k]``
    voxels of ROI ``rois[k]``. Returns the resized brick's path relative to
    ``root`` (the dataset's ``stimuli``)."""
    # imported here: a baseline's worker imports this module with an older
    # package, which may lack them
    import numpy as np
    from mmbrain.datasets.nsd import (CacheWriter, cache_path, raw_writer,
                                      resize_stimuli)
    from mmbrain.datasets.nsd.layout import stimuli_path
    rng = np.random.default_rng(seed)
    os.makedirs(osp.join(root, 'prepared'), exist_ok=True)
    raw_writer.write_stimuli(
        root,
        rng.integers(0, 256, (num_images, raw_size, raw_size, 3),
                     dtype=np.uint8))
    brick = osp.join('prepared', f'nsd_stimuli_{img_size}.hdf5')
    resize_stimuli(stimuli_path(root), osp.join(root, brick), img_size)
    test = np.arange(num_images) < max(1, num_images // 10)
    with CacheWriter(cache_path(osp.join(root, 'prepared'), subject),
                     np.arange(num_images), test,
                     num_repeats=np.full(num_images, 3)) as out:
        for roi, v in zip(rois, voxels):
            responses = out.add_roi(
                roi, coords=rng.normal(0, 40, (v, 3)).astype(np.float32))
            for start in range(0, num_images, 256):
                rows = min(256, num_images - start)
                responses[start:start + rows] = rng.standard_normal(
                    (rows, v), dtype=np.float32)
            out.check()
        out.finish(subject, list(rois), root, dict(synthetic=True))
    return brick
