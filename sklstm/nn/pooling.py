"""Summarising per-step recurrent outputs, with padding masked out."""

import torch
from torch import nn

__all__ = ["POOLINGS", "SequencePooling"]

POOLINGS = ("last", "mean", "max", "attention")
MERGES = ("concat", "sum")


def step_mask(lengths, max_length):
    """``(B, T)`` boolean mask, True on real steps."""
    return torch.arange(max_length, device=lengths.device) < lengths[:, None]


class SequencePooling(nn.Module):
    """Turn ``(B, T, D, H)`` recurrent outputs into one vector per sequence (or step).

    Parameters
    ----------
    pooling : {"last", "mean", "max", "attention"} or None
        * ``"last"``: the final hidden state of the top layer: the forward direction
          at each sequence's own last step, joined with the backward direction at its
          first step (where the backward pass ends).
        * ``"mean"`` / ``"max"``: over real steps only.
        * ``"attention"``: a learned softmax-weighted mean over real steps.
        * ``None``: no summary; one vector per step (for per-step outputs).
    hidden_size : int
    num_directions : {1, 2}
    bidirectional_merge : {"concat", "sum"}, default="concat"
        How the two directions' vectors are joined.

    Examples
    --------
    >>> pool = SequencePooling("mean", hidden_size=4, num_directions=2)
    >>> pool(torch.ones(3, 7, 2, 4), torch.tensor([7, 1, 3])).shape
    torch.Size([3, 8])
    """

    def __init__(
        self, pooling, hidden_size, num_directions, bidirectional_merge="concat"
    ):
        super().__init__()
        self.pooling = pooling
        self.bidirectional_merge = bidirectional_merge
        self.output_size = hidden_size * (
            num_directions if bidirectional_merge == "concat" else 1
        )
        self.attention = (
            nn.Linear(self.output_size, 1) if pooling == "attention" else None
        )

    def merge(self, h):
        """Join the directions axis (-2) of ``h``."""
        if self.bidirectional_merge == "sum":
            return h.sum(dim=-2)
        return h.flatten(start_dim=-2)

    def forward(self, outputs, lengths):
        if self.pooling == "last":
            # size(0), not len(): an exported graph keeps the batch size variable
            rows = torch.arange(lengths.size(0), device=lengths.device)
            forward_end = outputs[rows, lengths - 1, 0]
            ends = [forward_end] + ([outputs[:, 0, 1]] if outputs.size(2) == 2 else [])
            return self.merge(torch.stack(ends, dim=1))
        steps = self.merge(outputs)
        if self.pooling is None:
            return steps
        padding = ~step_mask(lengths, steps.size(1))[..., None]
        if self.pooling == "mean":
            return steps.masked_fill(padding, 0.0).sum(1) / lengths[:, None]
        if self.pooling == "max":
            return steps.masked_fill(padding, float("-inf")).amax(1)
        scores = self.attention(steps).masked_fill(padding, float("-inf"))
        return (torch.softmax(scores, dim=1) * steps).sum(1)
