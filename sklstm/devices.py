"""Where and how an estimator runs: device names, precision, and running out of GPU
memory."""

import os
from contextlib import contextmanager, nullcontext

import torch

__all__ = [
    "autocast",
    "check_precision",
    "gpu_memory_errors",
    "native_bf16",
    "resolve_device",
]

#: the device types sklstm trains and predicts on
DEVICE_TYPES = ("cpu", "cuda")
#: the values of the precision hyperparameter
PRECISIONS = ("32", "bf16")


def resolve_device(device, *, strict=True):
    """The torch device string for ``device`` ("auto", a name or a ``torch.device``).

    Without ``strict`` (predicting), a CUDA device falls back to the CPU where CUDA is
    absent, so a model fitted on a GPU predicts on a CPU-only machine. In a
    process started by torchrun, "cuda" is the process's own GPU, number
    ``LOCAL_RANK``.

    Examples
    --------
    >>> resolve_device("cpu"), resolve_device(torch.device("cpu"))
    ('cpu', 'cpu')
    """
    if isinstance(device, str) and device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    try:
        parsed = torch.device(device)
    except (RuntimeError, TypeError, ValueError):
        parsed = None
    if parsed is None or parsed.type not in DEVICE_TYPES:
        raise ValueError(
            f"device={device!r} is not a device sklstm runs on; expected 'cpu', "
            "'cuda', 'cuda:N', 'auto' or a torch.device of type 'cpu' or 'cuda'."
        )
    if parsed.type == "cuda":
        if not torch.cuda.is_available():
            if not strict:
                return "cpu"
            raise ValueError(
                f"device={device!r} was requested but CUDA is not available on this "
                "machine; use device='cpu' or device='auto'."
            )
        count = torch.cuda.device_count()
        if parsed.index is None and "LOCAL_RANK" in os.environ:
            parsed = torch.device("cuda", int(os.environ["LOCAL_RANK"]))
        if parsed.index is not None and parsed.index >= count:
            raise ValueError(
                f"device={device!r} does not exist: this machine has {count} CUDA "
                f"device(s), cuda:0 to cuda:{count - 1}."
            )
    return str(parsed)


@contextmanager
def gpu_memory_errors(batch_size, during):
    """Turn CUDA running out of memory into a ``MemoryError`` that says what to do."""
    try:
        yield
    except torch.cuda.OutOfMemoryError as error:
        raise MemoryError(
            f"The GPU ran out of memory during {during} with batch_size={batch_size}. "
            "Try a smaller batch_size (prediction uses batches of 2 * batch_size), a "
            "smaller hidden_size, or device='cpu'."
        ) from error


def check_precision(precision, device):
    """Refuse ``precision="bf16"`` on a device without native bfloat16 arithmetic.

    There, bfloat16 is emulated and runs slower than float32: the opposite of what
    it is asked for.
    """
    if precision != "bf16" or native_bf16(device):
        return
    if torch.device(device).type == "cuda":
        hardware = "this GPU"
    else:
        hardware = "this CPU (it needs AVX-512 BF16, AMX or Arm BF16 instructions)"
    raise ValueError(
        f"precision='bf16' needs native bfloat16 arithmetic, which {hardware} "
        "lacks: emulated, it would run slower than float32. Use precision='32'."
    )


def native_bf16(device):
    """Whether ``device`` computes in bfloat16 natively."""
    if torch.device(device).type == "cuda":
        return torch.cuda.is_bf16_supported()
    return torch.ops.mkldnn._is_mkldnn_bf16_supported()


def autocast(device, precision):
    """The context that runs a forward pass in ``precision`` on ``device``: torch's
    autocast to bfloat16 for "bf16" (matrix products and recurrent cells in
    bfloat16, reductions and losses in float32), nothing for "32"."""
    if precision != "bf16":
        return nullcontext()
    return torch.autocast(torch.device(device).type, dtype=torch.bfloat16)
