"""Length-bucketed batches: sequences of similar length travel together, through
a torch ``DataLoader`` whose batch sampler does the bucketing."""

import torch
from torch.utils.data import DataLoader, Sampler

from sklstm.data.dataset import concatenated_ranges
from sklstm.rng import generator

__all__ = ["BucketBatchSampler", "bucket_loader"]

#: a batch pads to at most this many times its share of the mean length in steps
STEP_BUDGET = 8
#: training batches are formed within pools of this many batches' worth of sequences
POOL_BATCHES = 100
#: data sets of fewer batches than this train on random batches: an epoch costs
#: little there, and sorted batches would each hold one band of lengths (and of
#: whatever follows length, such as a class: 11% of batches held both classes of
#: 128 sequences labelled by length). At batch_size=32 that is about 500 sequences.
SMALL_DATA_BATCHES = 16


def bucket_loader(
    dataset, batch_size=32, shuffle=False, num_replicas=1, rank=0, **kwargs
):
    """A ``torch.utils.data.DataLoader`` over a :class:`~sklstm.data.SequenceDataset`
    in length-bucketed batches (skorch's ``iterator_train`` and ``iterator_valid``).

    Its ``batch_sampler`` is a :class:`BucketBatchSampler`; each batch is gathered
    and padded at once by ``SequenceDataset.__getitems__`` (one indexing operation,
    no per-sample Python work), so the collate function has nothing left to do.

    Parameters
    ----------
    dataset : SequenceDataset
    batch_size : int, default=32
    shuffle : bool, default=False
        Training order (see :class:`BucketBatchSampler`).
    num_replicas, rank
        Data-parallel training: see :class:`BucketBatchSampler`.
    **kwargs
        Other ``DataLoader`` parameters (``num_workers``, ``pin_memory``, ...).
    """
    return DataLoader(
        dataset,
        batch_sampler=BucketBatchSampler(
            dataset, batch_size, shuffle, num_replicas, rank
        ),
        collate_fn=_gathered,
        # the workers' base seed is drawn from this generator at every pass, not
        # from torch's global one, which a fit leaves alone (see sklstm.rng)
        generator=torch.Generator(),
        **kwargs,
    )


def _gathered(batch):
    """``collate_fn``: ``SequenceDataset.__getitems__`` has already padded it."""
    return batch


class BucketBatchSampler(Sampler):
    """Batches of a :class:`~sklstm.data.SequenceDataset`'s indices, in
    length-sorted batches.

    Each batch is padded only to its own longest sequence. With ``shuffle=True``
    (training) the usual bucketing applies: the sequences are shuffled, split into
    pools of ``POOL_BATCHES`` batches' worth, sorted by length within each pool
    and cut into batches, which come in random order: an epoch takes as many
    steps as one sorted pass, and padding stays close to that of one global
    sort. Where one pool holds every sequence, its first batch takes a random
    number of them (one more batch at most), so that the cuts move: batch
    membership changes from epoch to epoch even when every length is distinct.
    Small data sets (fewer than ``SMALL_DATA_BATCHES`` batches) train on random
    batches instead, each mixing all lengths. Randomness comes from the fit's own
    generator (:mod:`sklstm.rng`), so a seed makes epochs
    repeat. Without shuffling, batches come in order of length and
    :meth:`restore_order` puts outputs back in the dataset's order.

    A ``DataLoader`` takes it as its ``batch_sampler`` (see :func:`bucket_loader`).

    In data-parallel training (``num_replicas`` ranks, as torch's
    ``DistributedSampler`` has them), every rank forms the same training batches,
    groups them ``num_replicas`` at a time in order of length, and takes the
    ``rank``-th of each group, the groups in random order: the batches of one step
    have similar lengths, so ranks wait little on each other. Where the last group
    is short, a rank takes one of its batches again, so that every rank takes as
    many steps and none waits on a collective that never comes.

    Parameters
    ----------
    dataset : SequenceDataset
    batch_size : int, default=32
    shuffle : bool, default=False
    num_replicas : int, default=1
        Ranks that share the training batches.
    rank : int, default=0
        This rank, from 0 to ``num_replicas - 1``.
    """

    def __init__(self, dataset, batch_size=32, shuffle=False, num_replicas=1, rank=0):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.num_replicas = num_replicas
        self.rank = rank

    def _generator(self):
        # every rank draws the same batches from the fit's "batches" stream,
        # apart from dropout's draws, which differ between ranks
        return generator(stream="batches" if self.num_replicas > 1 else None)

    def _pools(self):
        """Indices of the sequences, in pools each sorted by length."""
        lengths = self.dataset.lengths
        if not self.shuffle:
            return [torch.argsort(lengths, stable=True)]
        order = torch.randperm(len(lengths), generator=self._generator())
        n_batches = -(-len(order) // self.batch_size)
        if n_batches < SMALL_DATA_BATCHES:
            # random batches: pools of one batch, as equal in size as they divide,
            # no small last one
            pools = order.tensor_split(n_batches)
        else:
            # pools of whole batches, as many in each as they divide, so that an
            # epoch has as many batches as one sorted pass (a remainder in every
            # pool would cost a partial batch each) and the last pool is not a
            # small remainder
            n_pools = -(-n_batches // POOL_BATCHES)
            pools = order.split(-(-n_batches // n_pools) * self.batch_size)
        return [pool[torch.argsort(lengths[pool], stable=True)] for pool in pools]

    def _bounds(self, lengths, first=None):
        """``(start, stop)`` of each batch along ascending ``lengths``.

        A batch holds at most ``batch_size`` sequences (the first at most ``first``)
        and, padded to its longest, at most ``batch_size * STEP_BUDGET`` times the
        data set's mean length in steps: a few extremely long sequences train in
        small batches of their own instead of padding 63 others to their length, so
        memory follows the number of steps.
        """
        mean_length = float(self.dataset.lengths.float().mean())
        budget = self.batch_size * STEP_BUDGET * mean_length
        bounds, start, n = [], 0, len(lengths)
        size = first or self.batch_size
        while start < n:
            stop = min(start + size, n)
            sizes = torch.arange(1, stop - start + 1)
            # lengths ascend, so the padded size grows with the batch: a prefix fits
            fits = int((sizes * lengths[start:stop] <= budget).sum())
            bounds.append((start, start + max(fits, 1)))
            start, size = bounds[-1][1], self.batch_size
        return bounds

    def _batches(self):
        batches = []
        pools = self._pools()
        # while training on one pool of several batches, a random first batch
        # size moves every cut between batches, so batch membership changes from
        # epoch to epoch even when every length is distinct, at no cost in
        # padding (random batches, pools of one batch, need none); several pools
        # change membership by their random draw, without the partial batch a
        # random first size costs in each
        moving_cuts = (
            self.shuffle and len(pools) == 1 and len(pools[0]) > self.batch_size
        )
        random = self._generator()
        for pool in pools:
            first = (
                int(torch.randint(1, self.batch_size + 1, (), generator=random))
                if moving_cuts
                else None
            )
            lengths = self.dataset.lengths[pool]
            batches += [pool[a:b] for a, b in self._bounds(lengths, first)]
        if not self.shuffle:
            return batches
        # one batch per rank at each step, neighbours in length: a rank waits
        # little on another's longer batch before the gradients' all-reduce
        n = self.num_replicas
        steps = [batches[i : i + n] for i in range(0, len(batches), n)]
        order = torch.randperm(len(steps), generator=random)
        return [steps[i][self.rank % len(steps[i])] for i in order]

    def __len__(self):
        """Batches of a length-sorted pass (training passes may differ by a few),
        this rank's share of them while training."""
        n_batches = len(self._bounds(torch.sort(self.dataset.lengths).values))
        return -(-n_batches // self.num_replicas) if self.shuffle else n_batches

    def __iter__(self):
        yield from self._batches()

    def restore_order(self, outputs, step_outputs=False):
        """Per-batch outputs, in iteration order, back in the dataset's order.

        Per-sequence outputs ``(B, ...)`` come back as one ``(n, ...)`` tensor.
        Per-step outputs (``step_outputs``) ``(B, T, ...)`` come back as one
        ``(n_steps, ...)`` tensor of the real steps, sequence after sequence (split
        it with ``dataset.output_lengths``: the input lengths, or the target
        sequences' under teacher forcing). Only meaningful without shuffling.
        """
        order = self.order()
        if not step_outputs:
            stacked = torch.cat(outputs)
            result = torch.empty_like(stacked)
            result[order] = stacked
            return result
        lengths = self.dataset.output_lengths[order]
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
        return steps[concatenated_ranges(starts[position], self.dataset.output_lengths)]

    def order(self):
        """The dataset's indices in the order a pass without shuffling visits them."""
        (order,) = self._pools()
        return order
