"""Share of padded steps in training batches, on the benchmark's length distributions.

For each workload of ``bench.py`` (same lengths, same seed), one epoch of training
batches from :class:`~sklstm.data.BucketBatchSampler` is drawn ``--epochs`` times, and
the share of padded steps (padded steps over all steps of the padded batches) is
printed, with a batch of random sequences and one global length sort for scale.
It also prints how many sequences change batch neighbours from one epoch to the
next (0 means batch membership never changes).

Run ``python benchmarks/padding.py``; it takes a few seconds.
"""

import argparse

import numpy as np
import torch

from sklstm.data import BucketBatchSampler, SequenceDataset


def lengths_of(workload, n, rng):
    """The sequence lengths of one of bench.py's workloads."""
    if workload == "b":
        return np.full(n, 34)
    return np.clip(rng.lognormal(3.3, 0.6, size=n).astype(int), 1, None)


def padding_share(batches, lengths):
    padded = sum(len(b) * int(lengths[b].max()) for b in batches)
    return 1 - int(lengths.sum()) / padded


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-sequences", type=int, default=4000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()
    print(
        "| workload | bucketed (training) | global sort | random | neighbours changed |"
    )
    print("|---|---|---|---|---|")
    for workload in ("a", "b"):
        lengths = torch.as_tensor(
            lengths_of(workload, args.n_sequences, np.random.RandomState(0))
        )
        data = SequenceDataset(lengths, tokens=np.ones(int(lengths.sum()), int))
        torch.manual_seed(0)
        train = BucketBatchSampler(data, args.batch_size, shuffle=True)
        epochs = [train._batches() for _ in range(args.epochs)]
        shares = [padding_share(batches, lengths) for batches in epochs]
        partner = [_first_neighbour(batches, len(lengths)) for batches in epochs]
        changed = np.mean(
            [(a != b).mean() for a, b in zip(partner[:-1], partner[1:], strict=True)]
        )
        ordered = BucketBatchSampler(data, args.batch_size)._batches()
        shuffled = torch.randperm(len(lengths)).split(args.batch_size)
        print(
            f"| ({workload}) | {np.mean(shares):.1%} | "
            f"{padding_share(ordered, lengths):.1%} | "
            f"{padding_share(shuffled, lengths):.1%} | {changed:.0%} |"
        )


def _first_neighbour(batches, n):
    """For each sequence, the smallest index of another sequence in its batch."""
    partner = np.full(n, -1)
    for batch in batches:
        batch = batch.numpy()
        for i in batch:
            others = batch[batch != i]
            partner[i] = others.min() if len(others) else -1
    return partner


if __name__ == "__main__":
    main()
