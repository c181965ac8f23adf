"""Timing helpers shared by the scripts in ``tools/analysis_tools``."""
import math
import time
from typing import Callable

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


def dense_matmul_gflops(device: str = 'cpu', size: int = 2048) -> float:
    """GFLOP/s of a (size x size) fp32 matmul: the device's dense ceiling."""
    a = torch.randn(size, size, device=device)
    b = torch.randn(size, size, device=device)
    return 2 * size**3 / timed(lambda: a @ b, device, repeats=5) / 1e9


def loader_rate(dataset,
                workers: int,
                batch_size: int,
                min_seconds: float = 2.0) -> float:
    """Samples per second a DataLoader serves over whole passes (at least
    ``min_seconds``), with mmengine's ``default_collate``."""
    loader = DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=True,
        num_workers=workers,
        persistent_workers=workers > 0,
        collate_fn=default_collate)
    next(iter(loader))  # start the workers, open the files
    samples, start = 0, time.perf_counter()
    while time.perf_counter() - start < min_seconds:
        for batch in loader:
            samples += len(batch['inputs'])
    return samples / (time.perf_counter() - start)
