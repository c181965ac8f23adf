"""The measurements of ``gpu_rehearsal.py`` on the pretraining config: the
:class:`Context` they share and the sections ``environment``,
``correctness``, ``pretrain_eager`` / ``pretrain_compiled``, ``ceiling``
and ``loader``, each ``section(ctx, table)`` filling a
:class:`~rehearsal_report.Table` planned beforehand."""
import contextlib
import copy
import os
import os.path as osp
import platform
import sys
import tempfile
import time
from typing import Callable, Dict, List, Tuple

import torch
from mmengine.config import Config
from mmengine.registry import FUNCTIONS
from torch.utils.flop_counter import FlopCounterMode

from mmbrain.registry import DATASETS, MODELS
from mmbrain.testing import fake_brain_batch, literal_brainformer
from mmbrain.utils import register_all_modules

from rehearsal_report import (REPO, ReportContext, SectionSkipped, Table,
                              fill_row, free_memory, one_line)

# the benchmarks' own code, imported as they import each other
sys.path.insert(0, osp.join(REPO, 'tools', 'analysis_tools'))
from benchmark_pretrain import (batch_voxels, collated_batch,  # noqa: E402
                                optim_wrapper)
from benchmark_utils import (dense_peak, encoder_kwargs,  # noqa: E402
                             loader_rate, sync, timed, write_synthetic_nsd)

# the largest relative error (max |x - ref| / max |ref|) each check allows
# against CPU float32. fp32 differs by summation order alone (on an H100
# the encoder and the literal loop agreed to 1.6e-4, on outputs of about
# 3: docs/notes/benchmarks.md). bf16 rounds to 8 bits (2^-9 relative per
# op); on the CPU the full-size model's bf16 errors were 6.7e-3 (outputs),
# 6.1e-2 (gradients) and 2.3e-4 (loss): the tolerances are 4-90x that, so
# that only an error beyond rounding fails
TOLERANCE = {
    'fp32': dict(outputs=5e-4, gradients=2e-3, loss=1e-4),
    'bf16': dict(outputs=5e-2, gradients=2.5e-1, loss=2e-2),
}
CORRECTNESS_BATCH = 2


def bare(error: Exception) -> Exception:
    """A copy of ``error`` without its traceback (or a RuntimeError that
    says it, where it cannot be copied)."""
    try:
        return copy.copy(error).with_traceback(None)
    except Exception:  # an exception type that does not copy
        return RuntimeError(one_line(error))


def is_oom(error: BaseException) -> bool:
    """Whether ``error`` is running out of GPU memory, also where
    ``torch.compile`` wraps it (e.g. ``BackendCompilerFailed``)."""
    return (isinstance(error, torch.cuda.OutOfMemoryError)
            or 'out of memory' in str(error).lower())


def once(method):
    """A method computed on its first call; its value, or its error, is
    what every later call gets."""
    name = '_once_' + method.__name__

    def get(self):
        if name not in self.__dict__:
            try:
                self.__dict__[name] = (True, method(self))
            except Exception as e:  # remembered and raised
                # (remembered without its traceback, whose frames would
                # keep their tensors on the GPU for the rest of the run;
                # this first raise keeps it)
                self.__dict__[name] = (False, bare(e))
                raise
        ok, value = self.__dict__[name]
        if not ok:
            raise bare(value)  # a copy: no traceback piles up on `value`
        return value

    return property(get)


class Context(ReportContext):
    """What the sections share besides the report's: the config, the
    measured peak and the step's FLOPs (each made once, when first
    asked)."""

    @property
    def cuda(self) -> bool:
        return self.device.startswith('cuda')

    @once
    def cfg(self) -> Config:
        register_all_modules()
        return Config.fromfile(self.args.config)

    @once
    def voxels(self) -> List[int]:
        return batch_voxels(self.cfg, self.args.voxels)

    @once
    def img_size(self) -> int:
        return self.args.img_size or self.cfg.get('img_size', 224)

    @once
    def peak(self) -> Tuple[float, str]:
        """(GFLOP/s, what was measured)."""
        return dense_peak(self.device)

    @once
    def flops(self) -> Dict[str, float]:
        return step_flops(self)

    @once
    def mmcv_cuda(self):
        """True where mmcv's nms runs on the GPU, else why not."""
        if not self.cuda:
            return 'no: --device cpu'
        try:
            from mmcv.ops import nms
            boxes = torch.tensor([[0., 0., 10., 10.]], device=self.device)
            nms(boxes, torch.ones(1, device=self.device), 0.5)
        except Exception as e:  # the answer is the error
            return f'no: {one_line(e)}'
        return True

    def mfu(self, samples_per_s: float):
        """The fraction of the peak that ``samples_per_s`` reaches,
        crediting the valid FLOPs per sample; else the error."""
        try:
            return self.flops['valid'] * samples_per_s / self.peak[0]
        except Exception as e:  # recorded in the field
            return f'error: {one_line(e)}'


def peak_memory_reset(device: str):
    if device.startswith('cuda'):
        sync(device)
        torch.cuda.reset_peak_memory_stats()


def peak_memory_gb(device: str):
    if device.startswith('cuda'):
        return torch.cuda.max_memory_allocated() / 2**30
    return 'n/a: no peak on the cpu'


def wall(fn: Callable, device: str) -> float:
    """Seconds of one call of ``fn`` (a compile, or a single step)."""
    sync(device)
    start = time.perf_counter()
    fn()
    sync(device)
    return time.perf_counter() - start


@contextlib.contextmanager
def no_tf32():
    """fp32 convolutions and matmuls in full fp32 on a GPU."""
    saved = (torch.backends.cudnn.allow_tf32,
             torch.backends.cuda.matmul.allow_tf32)
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    try:
        yield
    finally:
        (torch.backends.cudnn.allow_tf32,
         torch.backends.cuda.matmul.allow_tf32) = saved


@contextlib.contextmanager
def cudnn_benchmark(ctx: Context):
    """The config's ``env_cfg.cudnn_benchmark`` (the training setting)."""
    saved = torch.backends.cudnn.benchmark
    torch.backends.cudnn.benchmark = bool(
        ctx.cfg.get('env_cfg', {}).get('cudnn_benchmark', False))
    try:
        yield
    finally:
        torch.backends.cudnn.benchmark = saved


def bf16(device: str):
    return torch.autocast(device.split(':')[0], dtype=torch.bfloat16)


# --------------------------------------------------------------------------
# environment


def environment(ctx: Context, table: Table):
    info = table.info
    info.update(device=ctx.device, torch=torch.__version__,
                python=platform.python_version(), cpus=os.cpu_count(),
                cuda=torch.version.cuda or 'none: a CPU build of torch')
    if ctx.cuda:
        info['gpu'] = torch.cuda.get_device_name(ctx.device)
        info['bf16_supported'] = torch.cuda.is_bf16_supported()
    else:
        info['gpu'] = 'none: --device cpu'
        info['bf16_supported'] = 'n/a: --device cpu (autocast runs bf16)'
    # (mmcv's compiled ops may not load against this torch: recorded, and
    # the peak is still measured)
    try:
        import mmcv
        info['mmcv'] = mmcv.__version__
        from mmcv.ops import get_compiling_cuda_version
        info['mmcv_built_with_cuda'] = get_compiling_cuda_version()
    except Exception as e:  # recorded in the fields
        for k in ('mmcv', 'mmcv_built_with_cuda'):
            info[k] = info[k] or f'error: {one_line(e)}'
    info['mmcv_cuda_ops'] = ctx.mmcv_cuda
    gflops, what = ctx.peak
    info.update(peak_tflops=gflops / 1e3, peak_what=what)


# --------------------------------------------------------------------------
# correctness


def forward_backward(model, data: dict, cast: bool) -> dict:
    """The encoder's outputs and gradients and the model's loss on
    ``model``'s device, under bf16 autocast where ``cast``.

    Returns:
        dict: float32 CPU tensors: ``outputs`` (N*d + N*R*d, ), the
        encoder's (brain (N, d), rois (N, R, d)) flattened; ``gradients``
        {name: (numel, )}, sorted by name, of the encoder's parameters
        under a fixed random projection of the outputs; ``loss`` (1, ),
        the summed losses.
    """
    device = next(model.parameters()).device
    autocast = bf16(device.type) if cast else contextlib.nullcontext()
    batch = model.data_preprocessor(data, True)
    encoder = model.brain_encoder
    model.zero_grad(set_to_none=True)
    with autocast:
        brain, rois = encoder(**encoder_kwargs(encoder, batch['inputs']))
    g = torch.Generator().manual_seed(1)
    weights = [torch.randn(t.shape, generator=g).to(device)
               for t in (brain, rois)]
    sum((t.float() * w).sum()
        for t, w in zip((brain, rois), weights)).backward()
    grads = dict(sorted((name, p.grad.float().flatten().cpu())
                        for name, p in encoder.named_parameters()
                        if p.grad is not None))
    with torch.no_grad(), autocast:
        loss, _ = model.parse_losses(model(**batch, mode='loss'))
    return dict(
        outputs=torch.cat([t.detach().float().flatten().cpu()
                           for t in (brain, rois)]),
        gradients=grads,
        loss=loss.detach().float().reshape(1).cpu())


def compare(value, reference) -> Tuple[float, float]:
    """(max abs error, max abs error over the reference's max abs) of two
    (K, ) tensors, or two dicts of them with the same keys."""
    if isinstance(reference, dict):
        if list(value) != list(reference):
            missing = sorted(set(reference) ^ set(value))
            raise ValueError(f'gradients of different parameters: '
                             f'{missing[:3]}')
        value = torch.cat(list(value.values()))
        reference = torch.cat(list(reference.values()))
    error = (value - reference).abs().max().item()
    return error, error / max(reference.abs().max().item(), 1e-30)


def correctness(ctx: Context, table: Table):
    cfg, device = ctx.cfg, ctx.device
    table.info.update(
        config=ctx.args.config, batch=CORRECTNESS_BATCH,
        img_size=ctx.img_size, voxels=ctx.voxels,
        reference='cpu fp32, the same weights and batch; eval mode',
        max_rel_err='max |x - ref| / max |ref|')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).eval()
    data = collated_batch(cfg, CORRECTNESS_BATCH, ctx.voxels, ctx.img_size)
    reference = forward_backward(model, data, cast=False)
    model = copy.deepcopy(model).to(device)
    for dtype in ('fp32', 'bf16'):
        with no_tf32():
            result = forward_backward(model, data, cast=dtype == 'bf16')
        for part, what in (('outputs', 'encoder outputs'),
                           ('gradients', 'encoder gradients'),
                           ('loss', 'step loss')):
            error, relative = compare(result[part], reference[part])
            tolerance = TOLERANCE[dtype][part]
            table.row(check=f'{what}, {dtype}').update(
                compared=f'{device} {dtype}'
                f'{" autocast" if dtype == "bf16" else ""} vs cpu fp32',
                max_abs_err=error, max_rel_err=relative,
                tolerance=tolerance, passed=relative <= tolerance)


def correctness_plan(ctx: Context) -> List[dict]:
    return [
        dict(check=f'{what}, {dtype}') for dtype in ('fp32', 'bf16')
        for what in ('encoder outputs', 'encoder gradients', 'step loss')
    ]


# --------------------------------------------------------------------------
# the pretraining step


def step_flops(ctx: Context) -> Dict[str, float]:
    """Forward+backward GFLOPs per sample: the step's (``computed``), the
    encoder's (``encoder_computed``), the literal Algorithm 1's on the same
    samples (``encoder_valid``) and ``valid``, the step's with the
    encoder's replaced by the literal loop's. Counted on two samples with
    the first and last voxel counts of a batch (whose mean is the
    batch's)."""
    cfg, device, n = ctx.cfg, ctx.device, 2
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).to(device).train()
    batch = model.data_preprocessor(
        collated_batch(cfg, n, ctx.voxels, ctx.img_size), True)
    encoder = model.brain_encoder
    samples = fake_brain_batch(n, ctx.voxels, 8)['data_samples']

    def count(fn) -> float:
        # (torch's attribution to modules counts some of the encoder's
        # backward twice: each part is counted on its own)
        with FlopCounterMode(display=False) as counter:
            fn()
        return counter.get_total_flops() / n / 1e9

    def step():
        model.parse_losses(model(**batch, mode='loss'))[0].backward()

    def encode():
        brain, rois = encoder(**encoder_kwargs(encoder, batch['inputs']))
        (brain.sum() + rois.sum()).backward()

    def loop():
        for sample in samples:
            brain, rois = literal_brainformer(
                encoder,
                [torch.as_tensor(f, device=device) for f in sample.fmri],
                [torch.as_tensor(c, device=device) for c in sample.coords])
            (brain.sum() + rois.sum()).backward()

    out = dict(computed=count(step), encoder_computed=count(encode),
               encoder_valid=count(loop))
    out['valid'] = (out['computed'] - out['encoder_computed'] +
                    out['encoder_valid'])
    return out


def part_times(model, data: dict, wrapper, device: str,
               repeats: int) -> Dict[str, float]:
    """Seconds of the step's parts: ``backbone`` forward+backward (its last
    output's mean as the loss), ``encoder``'s, and ``optimizer``'s update
    (with every gradient of a whole step present)."""
    batch = model.data_preprocessor(data, True)
    encoder = model.brain_encoder
    kwargs = encoder_kwargs(encoder, batch['inputs'])

    def backbone():
        with wrapper.optim_context(model):
            feats = model.extract_feat(batch['inputs']['img'])
        feats.float().mean().backward()

    def encode():
        with wrapper.optim_context(model):
            brain, rois = encoder(**kwargs)
        (brain.float().sum() + rois.float().sum()).backward()

    out = dict(backbone=timed(backbone, device, repeats),
               encoder=timed(encode, device, repeats))
    with wrapper.optim_context(model):
        loss = model.parse_losses(model(**batch, mode='loss'))[0]
    loss.backward()
    out['optimizer'] = timed(wrapper.step, device, repeats)
    return out


def step_row(ctx: Context, batch: int, compiled: bool) -> dict:
    """The figures of the config's step at ``batch``."""
    cfg, device, repeats = ctx.cfg, ctx.device, ctx.args.repeats
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).to(device).train()
    data = collated_batch(cfg, batch, ctx.voxels, ctx.img_size)
    wrapper = optim_wrapper(model, cfg, amp=True)
    step = model.train_step
    row = dict(compile_s='n/a: eager')
    peak_memory_reset(device)
    if compiled:  # as mmengine's runner does with compile=True
        step = torch.compile(model.train_step,
                             backend=ctx.args.compile_backend)
        row['compile_s'] = wall(lambda: step(data, wrapper), device)
    step_s = timed(lambda: step(data, wrapper), device, repeats)
    row.update(samples_per_s=batch / step_s, step_ms=1e3 * step_s,
               peak_mem_gb=peak_memory_gb(device),
               mfu=ctx.mfu(batch / step_s))
    if compiled:
        row.update(dict.fromkeys(
            ('backbone_ms', 'encoder_ms', 'optimizer_ms', 'rest_ms'),
            'n/a: compiled, timed whole'))
    else:
        parts = part_times(model, data, wrapper, device, repeats)
        row.update({f'{k}_ms': 1e3 * v for k, v in parts.items()})
        row['rest_ms'] = 1e3 * (step_s - sum(parts.values()))
    return row


def pretrain(ctx: Context, table: Table, compiled: bool):
    info = table.info
    info.update(config=ctx.args.config, img_size=ctx.img_size,
                voxels=ctx.voxels, dtype='bf16 autocast',
                channels_last=bool(ctx.cfg.model.get('channels_last')),
                compile_backend=ctx.args.compile_backend
                if compiled else 'n/a: eager')
    if compiled and ctx.args.compile_backend == 'none':
        raise SectionSkipped('no compile (--tiny, or --compile-backend '
                             'none)')
    try:
        flops = ctx.flops
        info.update(gflops_per_sample=flops['computed'],
                    valid_gflops_per_sample=flops['valid'])
    except Exception as e:  # recorded; the timings still run
        info.update(dict.fromkeys(
            ('gflops_per_sample', 'valid_gflops_per_sample'),
            f'error: {one_line(e)}'))
    # (batch, seconds, compile seconds) of the last size measured: the
    # next size's estimate scales the seconds but the compile's by batch
    last = None
    for batch in ctx.args.batches:
        row = table.row(batch=batch)
        needed = last and last[2] + (last[1] - last[2]) * batch / last[0]
        if last and needed > ctx.budget.left():
            fill_row(row, f'skipped: about {needed:.0f}'
                     f' s needed, {ctx.budget.left():.0f} s left')
            continue
        start = time.perf_counter()
        oom = False
        with cudnn_benchmark(ctx):
            try:
                row.update(step_row(ctx, batch, compiled))
            except Exception as e:  # OOM recorded in its row
                if not is_oom(e):
                    raise
                oom = True
            finally:
                if compiled:
                    torch._dynamo.reset()
        free_memory(ctx.device)
        if oom:
            fill_row(row, 'OOM')
        compile_s = row['compile_s']
        last = (batch, time.perf_counter() - start,
                compile_s if isinstance(compile_s, float) else 0.)


def batches_plan(ctx: Context) -> List[dict]:
    return [dict(batch=b) for b in ctx.args.batches]


# --------------------------------------------------------------------------
# the ceiling: the backbone alone


def ceiling(ctx: Context, table: Table):
    cfg, device = ctx.cfg, ctx.device
    batch, size = max(ctx.args.batches), ctx.img_size
    backend = ctx.args.compile_backend
    table.info.update(
        backbone=f'{cfg.model.backbone.type} '
        f'{cfg.model.backbone.get("arch", "")}'.strip(),
        img_size=size, dtype='bf16 autocast', channels_last=True,
        compile_backend=backend if backend != 'none' else 'n/a: eager')
    torch.manual_seed(0)
    backbone = MODELS.build(cfg.model.backbone)
    backbone.to(device, memory_format=torch.channels_last)
    backbone.train()  # (mmpretrain's ConvNeXt.train returns None)

    def images(n):  # (n, 3, size, size), channels-last
        return torch.randn(n, 3, size, size, device=device).contiguous(
            memory_format=torch.channels_last)

    def step(forward, images):
        with bf16(device):
            feats = forward(images)
        feats = feats[-1] if isinstance(feats, (tuple, list)) else feats
        feats.float().mean().backward()

    with FlopCounterMode(display=False) as counter:
        step(backbone, images(1))
    gflops = table.info['gflops_per_sample'] = (
        counter.get_total_flops() / 1e9)
    row = table.row(batch=batch)
    row['compile_s'] = 'n/a: eager'
    forward = backbone if backend == 'none' else torch.compile(
        backbone, backend=backend)
    seconds = None
    with cudnn_benchmark(ctx):
        try:
            x = images(batch)
            peak_memory_reset(device)
            if backend != 'none':
                row['compile_s'] = wall(lambda: step(forward, x), device)
            seconds = timed(lambda: step(forward, x), device,
                            ctx.args.repeats)
        except Exception as e:  # OOM recorded in its row
            if not is_oom(e):
                raise
        finally:
            torch._dynamo.reset()
    if seconds is None:
        return fill_row(row, 'OOM')
    try:
        mfu = gflops * batch / seconds / ctx.peak[0]
    except Exception as e:  # recorded in the field; the rate stands
        mfu = f'error: {one_line(e)}'
    row.update(samples_per_s=batch / seconds, step_ms=1e3 * seconds,
               peak_mem_gb=peak_memory_gb(device), mfu=mfu)


# --------------------------------------------------------------------------
# the loader


def loader(ctx: Context, table: Table):
    args, cfg = ctx.args, ctx.cfg
    dataset_cfg = cfg.train_dataloader.dataset
    size = ctx.img_size
    info = table.info
    with contextlib.ExitStack() as stack:
        if args.data_root:
            root, subjects = args.data_root, args.subjects
            stimuli = args.stimuli
            resized = osp.join('prepared', f'nsd_stimuli_{size}.hdf5')
            if stimuli is None and osp.exists(osp.join(root, resized)):
                stimuli = resized
            info.update(data=root, build_s='n/a: --data-root')
        else:
            root = stack.enter_context(
                tempfile.TemporaryDirectory(prefix='mmbrain-rehearsal-'))
            subjects = [1]
            start = time.perf_counter()
            stimuli = write_synthetic_nsd(
                root, ctx.voxels, dataset_cfg.rois, args.loader_images,
                size)
            info.update(data=f'synthetic: {args.loader_images} images of '
                        'subject 1, in a temporary folder',
                        build_s=time.perf_counter() - start)
        pipeline = [
            dict(t, scale=(size, size)) if t['type'] == 'Resize' else t
            for t in dataset_cfg.pipeline
        ]
        dataset = DATASETS.build(
            dict(dataset_cfg, data_root=root, subjects=subjects,
                 stimuli=stimuli, pipeline=pipeline))
        collate = FUNCTIONS.get(cfg.train_dataloader.collate_fn['type'])
        batch = max(args.batches)
        info.update(subjects=subjects, samples=len(dataset),
                    stimuli=stimuli or 'the raw brick, resized by the '
                    'pipeline', img_size=size, batch=batch)
        for workers in args.workers:
            table.row(workers=workers)['samples_per_s'] = loader_rate(
                dataset, workers, batch, args.loader_seconds, collate)
