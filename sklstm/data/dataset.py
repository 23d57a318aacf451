"""Ragged sequences stored flat, padded one batch at a time."""

import hashlib
from typing import NamedTuple

import numpy as np
import torch
from skorch.dataset import Dataset

__all__ = [
    "IGNORE_INDEX",
    "Ragged",
    "SequenceDataset",
    "concatenated_ranges",
    "real_steps",
]

#: label of padding steps in per-step targets; the loss ignores it (real-valued
#: per-step targets pad with NaN instead)
IGNORE_INDEX = -100


class Ragged(NamedTuple):
    """Sequences of any lengths stored flat: ``values`` holds their steps one
    sequence after another, ``lengths`` how many steps each has."""

    values: np.ndarray
    lengths: np.ndarray


def _flat_with_pad_row(values, fill=None):
    """Concatenated steps plus one trailing padding row that gathers point at.

    The padding row holds ``fill``, or by default NaN for real values and
    ``IGNORE_INDEX`` for labels.
    """
    values = torch.as_tensor(np.asarray(values))
    if values.is_floating_point():
        values = values.float()
    if fill is None:
        fill = float("nan") if values.is_floating_point() else IGNORE_INDEX
    pad = torch.full((1, *values.shape[1:]), fill, dtype=values.dtype)
    return torch.cat([values, pad])


def real_steps(targets):
    """``(B, T)`` mask of the real steps of padded per-step targets.

    Labels ``(B, T)`` pad with ``IGNORE_INDEX``; real values, ``(B, T)`` or
    ``(B, T, F)``, with NaN.
    """
    if targets.is_floating_point():
        return ~torch.isnan(targets).reshape(*targets.shape[:2], -1).any(dim=-1)
    return targets != IGNORE_INDEX


def concatenated_ranges(starts, lengths):
    """``[starts[0], ..., starts[0] + lengths[0] - 1, starts[1], ...]`` as one tensor.

    The flat positions of sequences' steps, in the order the sequences are given.
    """
    offsets = torch.cumsum(lengths, 0) - lengths
    total = int(lengths.sum())
    return torch.repeat_interleave(starts - offsets, lengths) + torch.arange(total)


class SequenceDataset(Dataset):
    """Variable-length sequences, stored as flat arrays of all their steps.

    Memory grows with the total number of steps, never with
    ``n_sequences * max_length``: padding happens per batch, in :meth:`batch`.

    It is a skorch ``Dataset`` whose ``X`` is itself and whose ``y`` holds the
    targets in its own order (per-step targets flat, real steps only), so that
    skorch's scoring callbacks can match predictions with targets.

    Parameters
    ----------
    lengths : array-like of int, shape (n_sequences,)
    y : array-like of shape (n_sequences, ...) or (n_steps, ...), or Ragged, optional
        Targets: one per sequence, one per step (``per_step=True``), or a
        :class:`Ragged` output sequence per sequence, of its own length
        (sequence-to-sequence). Per-step and output sequences pad with
        ``IGNORE_INDEX`` (labels) or NaN (real values); output sequences also go
        into the inputs, as ``X["targets"]``, for the decoder's teacher forcing.
    per_step : bool, default=False
        Whether ``y`` holds one target per step rather than per sequence.
    sample_weight : array-like of shape (n_sequences,), optional
        Weight of each sequence; batches then carry ``(y, sample_weight)``. The
        weights are scaled to a mean of 1 per target element (per target step for
        sequence targets), so that a batch's weighted mean loss divides by its
        number of elements, a constant of the data set rather than of the batch:
        weights that differ only between batches (such as between length buckets)
        still steer the fit.
    **streams : array-like, shape (n_steps, ...)
        Aligned per-step inputs of all sequences, one after the other, by the name
        the module's ``forward`` takes them (``tokens``, ``features``, ``chars``).
        They are padded with zeros.

    Examples
    --------
    >>> data = SequenceDataset([2, 1], tokens=[5, 6, 7])
    >>> X, y = data.batch(torch.tensor([0, 1]))
    >>> X["tokens"].tolist(), X["lengths"].tolist()
    ([[5, 6], [7, 0]], [2, 1])
    """

    def __init__(self, lengths, y=None, per_step=False, sample_weight=None, **streams):
        self.lengths = torch.as_tensor(np.asarray(lengths), dtype=torch.long)
        self.starts = torch.cumsum(self.lengths, 0) - self.lengths
        self.streams = {
            name: _flat_with_pad_row(values, 0)
            for name, values in streams.items()
            if values is not None
        }
        self.per_step = per_step
        #: lengths of sequence targets (per step or output sequences), else None
        self.target_lengths = self.lengths if per_step else None
        self.teacher_forcing = isinstance(y, Ragged)
        if self.teacher_forcing:
            y, self.target_lengths = y.values, torch.as_tensor(y.lengths)
        self.sample_weight = None
        if sample_weight is not None:
            weight = np.asarray(sample_weight, dtype=np.float64)
            elements = (
                None if self.target_lengths is None else self.target_lengths.numpy()
            )
            mean = np.average(weight, weights=elements)
            # a part whose weights are all zero (a split may make one) stays zero
            weight = weight / mean if mean > 0 else weight
            self.sample_weight = torch.as_tensor(weight, dtype=torch.float32)
        self.targets = None
        if y is not None:
            y = torch.as_tensor(np.asarray(y))
            self.targets = y if self.target_lengths is None else _flat_with_pad_row(y)
            if self.teacher_forcing:
                self.target_starts = torch.cumsum(self.target_lengths, 0)
                self.target_starts -= self.target_lengths

    @property
    def X(self):
        """The dataset itself: skorch reads a dataset's inputs from ``X``."""
        return self

    @property
    def y(self):
        """Targets in the dataset's order; sequence targets flat, real steps only."""
        if self.targets is None or self.target_lengths is None:
            return self.targets
        return self.targets[:-1]

    @property
    def output_lengths(self):
        """Steps of each sequence's per-step outputs: those of its target sequence
        when it has one, else its own."""
        return self.lengths if self.target_lengths is None else self.target_lengths

    @property
    def n_steps(self):
        return int(self.lengths.sum())

    def digest(self):
        """A SHA-256 digest (bytes) of the sequences, targets and weights: equal
        digests mean equal data."""
        optional = (self.target_lengths, self.targets, self.sample_weight)
        digest = hashlib.sha256()
        for array in [self.lengths, *self.streams.values(), *optional]:
            if array is None:
                digest.update(b"none")
                continue
            array = torch.as_tensor(array).cpu().contiguous()
            digest.update(str((array.dtype, tuple(array.shape))).encode())
            digest.update(array.view(torch.uint8).numpy().tobytes())
        return digest.digest()

    def with_targets(self, y, per_step=False, sample_weight=None):
        """The same sequences with targets ``y`` (and their weights): see ``y``."""
        return SequenceDataset(
            self.lengths,
            y,
            per_step,
            sample_weight,
            **{name: flat[:-1] for name, flat in self.streams.items()},
        )

    def __len__(self):
        return len(self.lengths)

    def __getitem__(self, i):
        return self.batch(torch.tensor([i]))

    def __getitems__(self, indices):
        """A ``DataLoader``'s batch at once (see :func:`~sklstm.data.bucket_loader`)."""
        return self.batch(torch.as_tensor(indices))

    @staticmethod
    def _step_index(starts, lengths, pad_row):
        """Positions of sequences' steps in a flat array, padded to the longest.

        Padding positions point at the trailing padding row, so one gather pads.
        """
        steps = torch.arange(int(lengths.max()))
        inside = steps < lengths[:, None]
        return torch.where(inside, starts[:, None] + steps, pad_row)

    def batch(self, indices):
        """``(X, y)`` for the sequences at ``indices``, padded to their longest."""
        lengths = self.lengths[indices]
        index = self._step_index(self.starts[indices], lengths, self.n_steps)
        X = {"lengths": lengths}
        X.update({name: flat[index] for name, flat in self.streams.items()})
        if self.targets is None:
            return X, None
        if self.teacher_forcing:
            y = self.targets[
                self._step_index(
                    self.target_starts[indices],
                    self.target_lengths[indices],
                    len(self.targets) - 1,
                )
            ]
            X["targets"] = y
        else:
            y = self.targets[index] if self.per_step else self.targets[indices]
        if self.sample_weight is None:
            return X, y
        return X, (y, self.sample_weight[indices])

    def subset(self, indices):
        """A dataset of the sequences at ``indices`` (e.g. a validation split)."""
        indices = torch.as_tensor(np.asarray(indices), dtype=torch.long)
        lengths = self.lengths[indices]
        index = concatenated_ranges(self.starts[indices], lengths)
        y = None
        if self.teacher_forcing:
            target_lengths = self.target_lengths[indices]
            y = Ragged(
                self.targets[
                    concatenated_ranges(self.target_starts[indices], target_lengths)
                ],
                target_lengths,
            )
        elif self.targets is not None:
            y = self.targets[index] if self.per_step else self.targets[indices]
        weight = None if self.sample_weight is None else self.sample_weight[indices]
        return SequenceDataset(
            lengths,
            y,
            self.per_step,
            weight,
            **{name: flat[index] for name, flat in self.streams.items()},
        )
