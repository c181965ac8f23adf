"""Counting the ATen ops a piece of code dispatches, and its host syncs."""
from collections import Counter

import torch
from torch.utils._python_dispatch import TorchDispatchMode

aten = torch.ops.aten

# ops that read device data back to the host: a scalar, or a shape that
# depends on the data
SYNC_OPS = frozenset({
    aten._local_scalar_dense.default, aten.nonzero.default,
    aten.masked_select.default, aten.unique_consecutive.default,
    aten._unique2.default, aten.equal.default, aten.is_nonzero.default
})


class OpCounter(TorchDispatchMode):
    """Within ``with OpCounter() as ops:``, counts every ATen op dispatched
    (``ops.ops``, a :class:`Counter` by op) and the host syncs among them
    (``ops.syncs``): ``.item()``, ``int(t)``, ``tolist()``, ``nonzero`` and
    boolean indexing reach ``SYNC_OPS``. A sync on the CPU costs nothing,
    but the same code on a GPU waits for the device there, so the count
    made on the CPU is the one that matters on the GPU."""

    def __init__(self):
        super().__init__()
        self.ops = Counter()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.ops[func] += 1
        return func(*args, **(kwargs or {}))

    @property
    def total(self) -> int:
        return sum(self.ops.values())

    @property
    def syncs(self) -> int:
        return sum(n for op, n in self.ops.items() if op in SYNC_OPS)
