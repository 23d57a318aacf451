"""Length-bucketed batches: sequences of similar length travel together."""

import torch

from sklstm.data.dataset import concatenated_ranges

__all__ = ["BucketIterator"]

#: a batch pads to at most this many times its share of the mean length in steps
STEP_BUDGET = 8


class BucketIterator:
    """Iterate over a :class:`~sklstm.data.SequenceDataset` in length-sorted batches.

    Each batch is padded only to its own longest sequence. With ``shuffle=True``
    (training), equal lengths are ordered at random and the batches come in random
    order, drawn from torch's global generator so that a seed makes epochs repeat.
    Without shuffling, batches come in order of length and :meth:`restore_order`
    puts outputs back in the dataset's order.

    It takes the place of a ``DataLoader`` (skorch's ``iterator_train`` and
    ``iterator_valid``): batches are gathered with one indexing operation each, with
    no per-sample Python work.

    Parameters
    ----------
    dataset : SequenceDataset
    batch_size : int, default=32
    shuffle : bool, default=False
    """

    def __init__(self, dataset, batch_size=32, shuffle=False):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle

    def _order(self):
        lengths = self.dataset.lengths
        if not self.shuffle:
            return torch.argsort(lengths, stable=True)
        order = torch.randperm(len(lengths))
        return order[torch.argsort(lengths[order], stable=True)]

    def _bounds(self, sorted_lengths):
        """``(start, stop)`` of each batch along the length-sorted order.

        A batch holds at most ``batch_size`` sequences and, padded to its longest,
        at most ``batch_size * STEP_BUDGET`` times the mean length in steps: a few
        extremely long sequences train in small batches of their own instead of
        padding 63 others to their length, so memory follows the number of steps.
        """
        mean_length = float(sorted_lengths.float().mean())
        budget = self.batch_size * STEP_BUDGET * mean_length
        bounds, start, n = [], 0, len(sorted_lengths)
        while start < n:
            stop = min(start + self.batch_size, n)
            sizes = torch.arange(1, stop - start + 1)
            # lengths ascend, so the padded size grows with the batch: a prefix fits
            fits = int((sizes * sorted_lengths[start:stop] <= budget).sum())
            bounds.append((start, start + max(fits, 1)))
            start = bounds[-1][1]
        return bounds

    def _batches(self):
        order = self._order()
        bounds = self._bounds(self.dataset.lengths[order])
        batches = [order[start:stop] for start, stop in bounds]
        if self.shuffle:
            batches = [batches[i] for i in torch.randperm(len(batches))]
        return batches

    def __len__(self):
        return len(self._bounds(torch.sort(self.dataset.lengths).values))

    def __iter__(self):
        for indices in self._batches():
            yield self.dataset.batch(indices)

    def restore_order(self, outputs):
        """Per-batch outputs, in iteration order, back in the dataset's order.

        Per-sequence outputs ``(B, C)`` come back as one ``(n, C)`` tensor. Per-step
        outputs ``(B, T, C)`` come back as one ``(n_steps, C)`` tensor of the real
        steps, sequence after sequence (split it with ``dataset.lengths``).
        Only meaningful without shuffling.
        """
        order = self._order()
        if not (outputs and outputs[0].dim() == 3):
            stacked = torch.cat(outputs)
            result = torch.empty_like(stacked)
            result[order] = stacked
            return result
        lengths = self.dataset.lengths[order]
        batch_lengths = lengths.split([len(batch) for batch in outputs])
        steps = torch.cat(
            [
                batch[torch.arange(batch.size(1)) < n[:, None]]  # real steps only
                for batch, n in zip(outputs, batch_lengths, strict=True)
            ]
        )
        position = torch.empty_like(order)
        position[order] = torch.arange(len(order))
        starts = torch.cumsum(lengths, 0) - lengths  # in iteration order
        return steps[concatenated_ranges(starts[position], self.dataset.lengths)]
