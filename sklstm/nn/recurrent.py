"""Stacked LSTM/GRU layers whose outputs never depend on padding."""

import torch
from torch import nn

__all__ = ["Recurrent", "gather_steps", "reverse_index"]

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
    """``x[b, index[b, t]]`` for a batch-first ``x`` of shape ``(B, T, ...)``."""
    return x.gather(1, index.view(*index.shape, *[1] * (x.dim() - 2)).expand_as(x))


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

    Shape
    -----
    ``forward(x, lengths)`` takes ``x`` of shape ``(B, T, input_size)`` and ``lengths``
    of shape ``(B,)``; it returns ``(B, T, num_directions, hidden_size)``, the top
    layer's outputs per direction. Steps at or past a sequence's length hold values
    that mean nothing and must be masked by the caller.

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
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, lengths):
        batch_size, max_length, _ = x.shape
        reverse = (
            reverse_index(lengths, max_length) if self.num_directions == 2 else None
        )
        for layer, directions in enumerate(self.layers):
            if layer:
                x = self.dropout(x)
            outputs = [directions[0](x)[0]]
            if reverse is not None:
                backward = directions[1](gather_steps(x, reverse))[0]
                outputs.append(gather_steps(backward, reverse))
            x = torch.cat(outputs, dim=-1)
        return x.view(batch_size, max_length, self.num_directions, self.hidden_size)
