"""Stacked LSTM/GRU layers whose outputs never depend on padding."""

import torch
from torch import nn
from torch.nn.utils.rnn import (
    PackedSequence,
    pack_padded_sequence,
    pad_packed_sequence,
)

from sklstm.rng import Dropout

__all__ = ["Recurrent", "gather_steps", "reverse_index", "run_stacked"]

CELLS = {"lstm": nn.LSTM, "gru": nn.GRU}


def reverse_index(lengths, max_length):
    """Step index that reverses each sequence within its own length.

    Padding steps keep their place, so a reversed sequence is still followed by its
    padding. The index is its own inverse.
    """
    steps = torch.arange(max_length, device=lengths.device)
    last = lengths[:, None] - 1
    return torch.where(steps <= last, last - steps, steps)


def gather_steps(x, index):
    """``x[b, index[b, t]]`` for a batch-first ``x`` of shape ``(B, T, ...)``.

    Indexing rather than ``gather``, whose index must be expanded to ``x``'s shape:
    torch's dynamo ONNX exporter writes that shape down as the example's when ``x``
    is an LSTM's output.
    """
    rows = torch.arange(index.shape[0], device=index.device)[:, None]
    return x[rows, index]


class Recurrent(nn.Module):
    """A stack of (bi)directional LSTM or GRU layers over right-padded batches.

    A forward pass over a right-padded batch is exact for every real step: padding
    comes after a sequence's last step and cannot reach it. The backward direction
    is run forward over each sequence reversed *within its own length*, so it too
    starts at the sequence's real last step, never at padding. This gives, for every
    sequence, the same numbers as running it alone (or packed), without the cost of
    ``pack_padded_sequence``.

    Parameters
    ----------
    input_size : int
    hidden_size : int
    num_layers : int, default=1
    bidirectional : bool, default=False
    cell : {"lstm", "gru"}, default="lstm"
    dropout : float, default=0.0
        Dropout on the input of each layer after the first, as in
        :class:`torch.nn.LSTM`.

    Notes
    -----
    ``forward(x, lengths)`` takes ``x`` of shape ``(B, T, input_size)`` and ``lengths``
    of shape ``(B,)``; it returns ``(B, T, num_directions, hidden_size)``, the top
    layer's outputs per direction. Steps at or past a sequence's length hold values
    that mean nothing and must be masked by the caller. With
    ``return_states=True`` it returns ``(outputs, states)`` too: each sequence's
    final states after its own last step (for an encoder-decoder), a tuple of
    ``h`` (and ``c`` for an LSTM), each ``(num_layers, num_directions, B, H)``;
    for those the layers run packed, both directions in one call of torch's
    packed kernel.

    Examples
    --------
    >>> rnn = Recurrent(3, 4, bidirectional=True)
    >>> rnn(torch.zeros(2, 5, 3), torch.tensor([5, 2])).shape
    torch.Size([2, 5, 2, 4])
    """

    def __init__(
        self,
        input_size,
        hidden_size,
        num_layers=1,
        bidirectional=False,
        cell="lstm",
        dropout=0.0,
    ):
        super().__init__()
        self.hidden_size = hidden_size
        self.cell = cell
        self.num_directions = 2 if bidirectional else 1
        rnn = CELLS[cell]
        self.layers = nn.ModuleList(
            nn.ModuleList(
                rnn(
                    input_size if layer == 0 else hidden_size * self.num_directions,
                    hidden_size,
                    batch_first=True,
                )
                for _ in range(self.num_directions)
            )
            for layer in range(num_layers)
        )
        self.dropout = Dropout(dropout)

    def forward(self, x, lengths, return_states=False):
        batch_size, max_length, _ = x.shape
        reverse = None
        if self.num_directions == 2 and not return_states:
            reverse = reverse_index(lengths, max_length)
        states = []
        for layer, directions in enumerate(self.layers):
            if layer:
                x = self.dropout(x)
            if return_states:
                x, layer_states = _run_packed(directions, x, lengths)
                states.append(layer_states)
            else:
                x = _run_padded(directions, x, reverse)
        x = x.view(batch_size, max_length, self.num_directions, self.hidden_size)
        if not return_states:
            return x
        # per state tensor (h, and c for an LSTM): (num_layers, num_directions, B, H)
        per_layer = [
            tuple(map(torch.stack, zip(*layer, strict=True))) for layer in states
        ]
        return x, tuple(map(torch.stack, zip(*per_layer, strict=True)))


def _run_padded(directions, x, reverse):
    """One layer's outputs ``(B, T, num_directions * H)`` over right-padded
    ``x``, exact at real steps: the backward direction runs forward over each
    sequence reversed within its own length (``reverse``, None for one
    direction)."""
    forward = directions[0](x)[0]
    if reverse is None:
        return forward  # cat would copy even a single tensor
    backward = directions[1](gather_steps(x, reverse))[0]
    return torch.cat([forward, gather_steps(backward, reverse)], dim=-1)


def _run_packed(directions, x, lengths):
    """``(outputs, final states)`` of one layer's directions over padded ``x``,
    run packed: each sequence's final states are those after its own last step
    (the backward direction's, after its first), and both directions run in one
    call of torch's packed kernel, with the layer's own weights.

    Returns the outputs ``(B, T, num_directions * H)`` and a list of each
    direction's final states, ``(h,)`` or ``(h, c)``, each ``(B, H)``.
    """
    packed = pack_padded_sequence(
        x, lengths.cpu(), batch_first=True, enforce_sorted=False
    )
    first = directions[0]
    zeros = x.new_zeros(len(directions), x.size(0), first.hidden_size)
    lstm = isinstance(first, nn.LSTM)
    output, *final = (torch.lstm if lstm else torch.gru)(
        packed.data,
        packed.batch_sizes,
        (zeros, zeros) if lstm else zeros,
        [weight for rnn in directions for weight in rnn._flat_weights],
        first.bias,
        1,  # one layer: the next reads it after dropout
        0.0,  # dropout
        first.training,
        len(directions) == 2,
    )
    output = pad_packed_sequence(
        PackedSequence(output, *packed[1:]), batch_first=True, total_length=x.size(1)
    )[0]
    # torch's states follow the packed (sorted) order; back to the batch's
    final = [state.index_select(1, packed.unsorted_indices) for state in final]
    return output, [tuple(state[d] for state in final) for d in range(len(directions))]


def run_stacked(rnn, x, states, dropout):
    """A multi-layer ``nn.LSTM``/``nn.GRU`` (batch first, one direction, no dropout
    of its own) over ``x`` from ``states``, with ``dropout`` (a
    :class:`~sklstm.rng.Dropout`) on the input of each layer after the first.

    ``states`` is ``(h,)`` or ``(h, c)``, each ``(num_layers, B, H)``; returns the
    top layer's outputs and the final states in that form. Layer by layer, with
    the layers' own weights: torch's built-in dropout between layers would draw
    from torch's global generator, not from the fit's (see :mod:`sklstm.rng`).
    """
    run = torch.lstm if isinstance(rnn, nn.LSTM) else torch.gru
    per_layer = len(rnn._flat_weights) // rnn.num_layers
    finals = []
    for layer in range(rnn.num_layers):
        if layer:
            x = dropout(x)
        weights = rnn._flat_weights[layer * per_layer : (layer + 1) * per_layer]
        hx = tuple(state[layer : layer + 1] for state in states)
        x, *final = run(
            x,
            hx if len(hx) == 2 else hx[0],
            weights,
            rnn.bias,
            1,
            0.0,
            rnn.training,
            False,
            True,
        )
        finals.append(final)
    return x, tuple(map(torch.cat, zip(*finals, strict=True)))
