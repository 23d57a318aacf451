"""The random number generators of one training run.

Each fit draws everything random that sklstm does (weight initialisation, the
batches' shuffling, dropout, token dropout) from generators of its own, seeded
from ``random_state``, never from torch's process-wide generators. So fits
running at once in threads (joblib's threading backend, dask workers with several
threads) each give what they would give alone, and the caller's torch random
state is neither used nor changed, while a fit runs and after it.

The run's generators are found through a context variable, which each thread
has its own of; outside a fit (a module used on its own), :func:`generator`
gives None and torch's generators are used as usual.
"""

import math
from contextlib import contextmanager
from contextvars import ContextVar

import torch
from torch import nn

__all__ = [
    "Dropout",
    "generator",
    "generator_states",
    "initialize_parameters",
    "seeded",
    "set_generator_states",
]

_RUN = ContextVar("sklstm_run_generators", default=None)


class _Generators:
    """One generator per device, each seeded with the run's seed when first used,
    and named CPU streams with seeds of their own."""

    def __init__(self, seed, streams):
        self.seed = seed
        self.by_device = {}
        self.streams = {
            f"stream:{name}": torch.Generator().manual_seed(stream_seed)
            for name, stream_seed in streams.items()
        }

    def get(self, device):
        device = torch.device(device)
        if device.type == "cuda" and device.index is None:
            device = torch.device("cuda", torch.cuda.current_device())
        if device not in self.by_device:
            self.by_device[device] = torch.Generator(device).manual_seed(self.seed)
        return self.by_device[device]

    def named(self):
        """Every generator made so far, by name (a device's or a stream's)."""
        return {**{str(d): g for d, g in self.by_device.items()}, **self.streams}


@contextmanager
def seeded(seed, **streams):
    """Within the block (and the thread), sklstm's random draws come from
    generators seeded with ``seed``, and ``streams`` (name=seed) from CPU
    generators of their own."""
    token = _RUN.set(_Generators(seed, streams))
    try:
        yield
    finally:
        _RUN.reset(token)


def generator(device="cpu", stream=None):
    """The running fit's generator for ``device`` (or its named ``stream``), or
    None outside a fit."""
    run = _RUN.get()
    if run is None:
        return None
    return run.get(device) if stream is None else run.streams[f"stream:{stream}"]


def generator_states():
    """The running fit's generators' states (numpy arrays), by name."""
    return {name: g.get_state().numpy() for name, g in _RUN.get().named().items()}


def set_generator_states(states):
    """Put the running fit's generators in ``states`` (see :func:`generator_states`)."""
    run = _RUN.get()
    for name, state in states.items():
        target = run.streams[name] if name in run.streams else run.get(name)
        target.set_state(torch.as_tensor(state))


class Dropout(nn.Dropout):
    """:class:`torch.nn.Dropout` drawing its mask from the running fit's generator
    (torch's own outside a fit)."""

    def forward(self, x):
        random = generator(x.device)
        if not self.training or self.p == 0 or random is None:
            return super().forward(x)
        if self.p == 1:
            return torch.zeros_like(x)
        keep = torch.empty_like(x).bernoulli_(1 - self.p, generator=random)
        return x * keep / (1 - self.p)


@torch.no_grad()
def initialize_parameters(module, random):
    """Initialise every parameter of ``module`` as torch's own layers do by
    default, drawing from generator ``random``.

    Recurrent layers: uniform in ±1/sqrt(hidden_size); linear and convolution
    layers: uniform in ±1/sqrt(fan_in), weights and biases (torch's
    ``kaiming_uniform_(a=sqrt(5))``); embeddings: normal, padding row 0, with
    the standard deviation in the layer's ``init_std`` attribute where it has one
    (torch's 1 otherwise); batch normalisations: weight 1, bias 0.
    A layer of another kind with parameters of its own is an error, so that a new
    layer cannot go uninitialised.
    """
    for layer in module.modules():
        own = list(layer.parameters(recurse=False))
        if not own:
            continue
        if isinstance(layer, nn.RNNBase):
            bound = 1 / math.sqrt(layer.hidden_size)
            for parameter in own:
                parameter.uniform_(-bound, bound, generator=random)
        elif isinstance(layer, (nn.Linear, nn.Conv1d)):
            bound = 1 / math.sqrt(layer.weight[0].numel())
            for parameter in own:
                parameter.uniform_(-bound, bound, generator=random)
        elif isinstance(layer, nn.BatchNorm1d):
            layer.reset_parameters()  # weight 1, bias 0, fresh running statistics
        elif isinstance(layer, nn.Embedding):
            std = getattr(layer, "init_std", 1.0)
            layer.weight.normal_(0.0, std, generator=random)
            if layer.padding_idx is not None:
                layer.weight[layer.padding_idx].zero_()
        else:
            raise TypeError(
                f"initialize_parameters does not know how to initialise "
                f"{type(layer).__name__}; add its default initialisation here."
            )
