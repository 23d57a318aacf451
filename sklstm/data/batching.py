"""Length-bucketed batches: sequences of similar length travel together."""

import torch

__all__ = ["BucketIterator"]


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

    def _batches(self):
        batches = self._order().split(self.batch_size)
        if self.shuffle:
            batches = [batches[i] for i in torch.randperm(len(batches))]
        return batches

    def __len__(self):
        return -(-len(self.dataset) // self.batch_size)

    def __iter__(self):
        for indices in self._batches():
            yield self.dataset.batch(indices)

    def restore_order(self, outputs):
        """Per-batch outputs, in iteration order, back in the dataset's order.

        Per-sequence outputs ``(B, C)`` come back as one ``(n, C)`` tensor; per-step
        outputs ``(B, T, C)`` as a list with one ``(T_i, C)`` tensor per sequence.
        Only meaningful without shuffling.
        """
        order = self._order()
        if outputs and outputs[0].dim() == 3:
            lengths = self.dataset.lengths[order].tolist()
            padded = (seq for batch in outputs for seq in batch)
            result = [None] * len(order)
            for i, seq, n in zip(order.tolist(), padded, lengths, strict=True):
                result[i] = seq[:n]
            return result
        stacked = torch.cat(outputs)
        result = torch.empty_like(stacked)
        result[order] = stacked
        return result
