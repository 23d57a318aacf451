"""Where an estimator runs: device names, seeding, and running out of GPU memory."""

from contextlib import contextmanager

import torch

__all__ = ["gpu_memory_errors", "resolve_device", "seeded"]

#: the device types sklstm trains and predicts on
DEVICE_TYPES = ("cpu", "cuda")


def resolve_device(device, *, strict=True):
    """The torch device string for ``device`` ("auto", a name or a ``torch.device``).

    Without ``strict`` (predicting), a CUDA device falls back to the CPU where CUDA is
    absent, so a model fitted on a GPU predicts on a CPU-only machine.

    Examples
    --------
    >>> resolve_device("cpu"), resolve_device(torch.device("cpu"))
    ('cpu', 'cpu')
    """
    if isinstance(device, str) and device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
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
        if parsed.index is not None and parsed.index >= count:
            raise ValueError(
                f"device={device!r} does not exist: this machine has {count} CUDA "
                f"device(s), cuda:0 to cuda:{count - 1}."
            )
    return str(parsed)


@contextmanager
def seeded(seed, device):
    """Seed torch for a run on ``device`` inside the block, restoring the caller's RNG.

    Only the CPU generator and, for a CUDA device, that device's own generator are
    seeded and restored. ``torch.manual_seed`` would also queue a seed for every
    CUDA device, which a run on the CPU must leave as the caller had it.
    """
    device = torch.device(device)
    cuda = []
    if device.type == "cuda":
        cuda = [torch.cuda.current_device() if device.index is None else device.index]
    with torch.random.fork_rng(devices=cuda):
        torch.random.default_generator.manual_seed(seed)
        for index in cuda:
            with torch.cuda.device(index):
                torch.cuda.manual_seed(seed)
        yield


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
