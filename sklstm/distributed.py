"""Data-parallel training on ``torch.distributed``: whether a fit trains on several
processes, and the few collectives that keep those processes in step.

A script launched by ``torchrun`` (or one that has initialised a process group)
trains data-parallel with no change to its code: every rank passes the same
``X, y``, reads them the same way (checked), trains on its own share of the
batches under :class:`~torch.nn.parallel.DistributedDataParallel`, and ends with
the same weights. What keeps the ranks in step is that every decision is taken on
figures that are the same on every rank: each step's loss is the mean over the
union of the ranks' batches, each epoch's figures are combined over the ranks, and
a stop (Ctrl-C, a callback's) or an exception on one rank reaches the others at
their next collective (:class:`Ranks`), so that no rank waits on one that never
comes.
"""

import atexit
import gc
import os
import pickle
import signal
import threading
import warnings
from contextlib import contextmanager

import torch
import torch.distributed as dist

__all__ = ["Ranks", "launched_world_size", "resolve_distributed"]

#: what torchrun (and torch's other launchers) set in each process it starts
LAUNCHER_VARIABLES = ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")


def launched_world_size():
    """The number of processes this one trains beside, itself included: the
    initialised process group's size, or the launcher's ``WORLD_SIZE``; 0 when it
    was neither launched for nor joined to a process group."""
    if not dist.is_available():
        return 0
    if dist.is_initialized():
        return dist.get_world_size()
    if all(name in os.environ for name in LAUNCHER_VARIABLES):
        return int(os.environ["WORLD_SIZE"])
    return 0


def resolve_distributed(value):
    """Whether a fit with ``distributed=value`` trains data-parallel.

    "auto": when the process was launched by torchrun (or joined a process group)
    beside at least one other; True: the same, but required; False: never.
    """
    if value is False:
        return False
    world_size = launched_world_size()
    if value is True and not world_size:
        raise RuntimeError(
            "distributed=True needs a process group, but this process was not "
            "started by torchrun and none is initialised (no RANK, WORLD_SIZE, "
            "MASTER_ADDR and MASTER_PORT in its environment). Launch the script with "
            "`torchrun --nproc_per_node=N script.py`, call "
            "torch.distributed.init_process_group() before fit, or set "
            'distributed="auto" (or False) to train in this process alone.'
        )
    return world_size > 1 or (value is True and world_size == 1)


def restart_hazard():
    """A warning's text when this process was started by ``torchrun
    --max-restarts`` with the rendezvous store shared with the workers (torch's
    default), else None: restarted ranks then meet the previous attempt's keys in
    that store and may fail to connect (pytorch/pytorch#135712, #167288; with torch
    2.13 and 2 gloo ranks on one machine, 5 relaunches in 8 failed or hung, none in
    12 with the store not shared)."""
    restarts = int(os.environ.get("TORCHELASTIC_MAX_RESTARTS", "0"))
    if restarts and os.environ.get("TORCHELASTIC_USE_AGENT_STORE") == "True":
        return (
            f"torchrun restarts this job up to {restarts} time(s), but with the "
            "rendezvous store shared with its processes (torch's default) restarted "
            "ranks may fail to connect or hang (pytorch/pytorch#135712). Set "
            "TORCH_DISABLE_SHARE_RDZV_TCP_STORE=1 in torchrun's environment: "
            "`TORCH_DISABLE_SHARE_RDZV_TCP_STORE=1 torchrun --max-restarts=N ...`."
        )
    return None


def _leave():
    """Destroy the process group sklstm initialised, before the interpreter's
    exit: left to it, gloo's threads free their last collective's tensors once
    Python can no longer take them back, which aborts the process."""
    gc.collect()  # what still refers to the group (a DDP wrapper, say)
    if dist.is_initialized():
        dist.destroy_process_group()


class Ranks:
    """This process's place among the ranks of a data-parallel fit, and the
    collectives they meet in.

    Joins the process group (gloo for a CPU ``device``, nccl for CUDA) if the
    launcher has not. Every collective sklstm issues while training goes through
    :meth:`_reduce`, one small tensor of fixed shape: two figures, and two flags
    that say whether a rank stops (Ctrl-C, or its training ended) or failed. So a
    rank that stops or fails meets the others at whatever collective they are in
    next, and they all stop, or all fail with the failing rank's exception.

    Parameters
    ----------
    device : str
        The device the fit trains on; collectives run there.
    """

    def __init__(self, device):
        device = torch.device(device)
        if not dist.is_initialized():
            dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
            # the group lives as long as the process: later fits use it too
            atexit.register(_leave)
        backend = str(dist.get_backend())
        if device.type == "cpu" and "gloo" not in backend:
            raise RuntimeError(
                f"A fit on device='cpu' needs a gloo process group, but the one "
                f"initialised uses {backend!r}. Initialise it with backend='gloo' "
                "(or 'cpu:gloo,cuda:nccl'), or train on device='cuda'."
            )
        if device.type == "cuda":
            torch.cuda.set_device(device)  # where nccl's object collectives run
        self.device = device
        self.rank, self.world_size = dist.get_rank(), dist.get_world_size()
        hazard = restart_hazard()
        if hazard and self.rank == 0:
            warnings.warn(hazard, RuntimeWarning, stacklevel=4)
        self._interrupted = False
        self._ended = False  # a collective said that the ranks stop
        self._agreed = None  # the exception every rank raised by agreement

    def _reduce(self, values=(0.0, 0.0), *, op="sum", stop=False, failure=None):
        """The two ``values`` combined over the ranks (summed, or their maximum).

        If a rank failed, every rank learns its exception: this one's
        ``failure`` is passed on (the caller raises it), a rank without one
        raises the first failing rank's. Otherwise, if a rank stops, every rank
        raises KeyboardInterrupt, which ends skorch's fit loop as early stopping
        does.
        """
        tensor = torch.tensor(
            [*values, float(stop or self._interrupted), float(failure is not None)],
            dtype=torch.float64,
        ).to(self.device)
        reduce_op = dist.ReduceOp.SUM if op == "sum" else dist.ReduceOp.MAX
        dist.all_reduce(tensor, op=reduce_op)
        combined, stops, failures = tensor[:2].tolist(), tensor[2], tensor[3]
        if failures > 0:
            self._ended = True
            self._share_failure(failure)
            return combined
        if stops > 0:
            self._ended = True
            raise KeyboardInterrupt
        return combined

    def _share_failure(self, own):
        """Every rank tells the others what it failed with (None if it did not);
        one that did not raises the failure of the first rank that did."""
        try:
            pickle.dumps(own)
        except Exception:  # pass on its description
            own = RuntimeError(repr(own))
        failures = [None] * self.world_size
        dist.all_gather_object(failures, own)
        if own is not None:
            return
        rank, failure = next(
            (rank, failure) for rank, failure in enumerate(failures) if failure
        )
        if hasattr(failure, "add_note"):  # Python 3.11
            failure.add_note(
                f"Raised on rank {rank} of {self.world_size} in data-parallel "
                f"training; rank {self.rank} stopped with it."
            )
        self._agreed = failure
        raise failure

    def sum(self, a, b):
        """``a`` and ``b``, each summed over the ranks."""
        return self._reduce((float(a), float(b)))

    def mean(self, value):
        """``value`` averaged over the ranks."""
        return self._reduce((float(value), 0.0))[0] / self.world_size

    def gather(self, value):
        """Every rank's ``value`` (picklable), in rank order, on every rank."""
        self._reduce()  # a rank that stopped or failed is known before
        values = [None] * self.world_size
        dist.all_gather_object(values, value)
        return values

    def broadcast(self, value):
        """Rank 0's integer ``value`` (below 2**53), on every rank."""
        return int(self.sum(value if self.rank == 0 else 0, 0)[0])

    def check_same(self, what, digest):
        """Refuse to go on unless ``digest`` (bytes) is the same on every rank;
        ``what`` says what it is a digest of."""
        code = float(int.from_bytes(digest[:6], "big"))  # exact in float64
        high, minus_low = self._reduce((code, -code), op="max")
        if high != -minus_low:
            raise ValueError(
                f"Data-parallel training needs every rank to pass the same X, y and "
                f"sample_weight to fit, but {what} differ between the "
                f"{self.world_size} ranks (this is rank {self.rank}). Pass the whole "
                "data on every rank (each trains on its own share of the batches), "
                "or set distributed=False to train each rank on its own."
            )

    def share_state(self, module):
        """Every rank takes rank 0's parameters and buffers (batch normalisation's
        running statistics are each rank's own while training)."""
        for tensor in module.state_dict().values():
            dist.broadcast(tensor, src=0)

    @contextmanager
    def together(self):
        """Run a training run in step with the other ranks.

        Within the block, Ctrl-C is noted and ends the run on every rank at the
        next collective; an exception is passed to the other ranks before it is
        raised; a block that ends on its own tells the ranks still training.
        """
        self._interrupted = self._ended = False
        self._agreed = None
        restore = self._note_interrupts()
        try:
            yield self
        except BaseException as error:
            if error is not self._agreed and not self._ended:
                self._reduce(failure=error)
            raise
        else:
            if not self._ended:
                try:
                    self._reduce(stop=True)
                except KeyboardInterrupt:
                    pass  # the stop this rank announced
        finally:
            restore()
            # the exception refers to the frames that refer to this object: a
            # cycle that, left to the interpreter's exit, would free the
            # training's autograd graph after the process group (an abort)
            self._agreed = None

    def _note_interrupts(self):
        """Note SIGINT instead of raising it; return what restores the handler."""
        if threading.current_thread() is not threading.main_thread():
            return lambda: None
        previous = signal.getsignal(signal.SIGINT)

        def note(signum, frame):
            self._interrupted = True

        signal.signal(signal.SIGINT, note)
        return lambda: signal.signal(signal.SIGINT, previous)
