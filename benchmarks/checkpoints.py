"""What ``checkpoint_dir`` costs per epoch: seconds and bytes.

Fits the workloads of ``bench.py`` (same architecture and data; default (a) tokens
and (d) a tagger) for ``--epochs`` epochs with and without a checkpoint directory,
in turn, ``--repeats`` times, and prints the median seconds per epoch of each, their
difference, the median time of writing one checkpoint (measured around each
write, state gathering included), and the size of the checkpoint file (taken after
the last epoch of a fit that is then stopped, so that the file is kept).

With ``--g2p DIR`` (a directory holding CMUdict's ``train.tsv``), it also fits
the grapheme-to-phoneme example's model (hidden 256) on the whole training set
for ``--epochs`` epochs with checkpoints kept, and prints its seconds per epoch,
the median time of writing one checkpoint and the file's size.

Usage::

    .venv/bin/python benchmarks/checkpoints.py          # ~2 min on 2 cores
    .venv/bin/python benchmarks/checkpoints.py --workloads "" --epochs 2 \
        --g2p ../shared/data/g2p_cmudict               # ~3 min
"""

import os
import statistics
import tempfile
import time

import numpy as np
import torch
from bench import make_parser, make_workload, sklstm_estimator
from shared_data import load_g2p
from skorch.callbacks import Callback

from sklstm import LSTMSeq2Seq
from sklstm.checkpoints import CheckpointStore

#: seconds spent in each checkpoint's writing, collected while fits run
WRITES = []
_save = CheckpointStore.save


def timed_save(store, state):
    start = time.perf_counter()
    _save(store, state)
    WRITES.append(time.perf_counter() - start)


CheckpointStore.save = timed_save


class StopAfterLastEpoch(Callback):
    """Fails after the last epoch (after its checkpoint), so the file stays."""

    def __init__(self, epochs):
        self.epochs = epochs

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.epochs + 1:
            raise RuntimeError("stop")


def seconds_per_epoch(data, args, directory=None):
    X, _, y, _, settings = data
    estimator = sklstm_estimator(settings, args, checkpoint_dir=directory)
    start = time.perf_counter()
    estimator.fit(X, y)
    return (time.perf_counter() - start) / estimator.n_iter_


def checkpoint_bytes(data, args):
    """The size of a checkpoint after ``args.epochs`` epochs."""
    X, _, y, _, settings = data
    with tempfile.TemporaryDirectory() as directory:
        estimator = sklstm_estimator(
            settings,
            args,
            checkpoint_dir=directory,
            max_epochs=args.epochs + 1,
            callbacks=[StopAfterLastEpoch(args.epochs)],
        )
        try:
            estimator.fit(X, y)
        except RuntimeError:
            pass
        (name,) = os.listdir(directory)
        return os.path.getsize(os.path.join(directory, name))


def g2p_row(args):
    """The grapheme-to-phoneme example's model, ``args.epochs`` epochs."""
    X, y = load_g2p(os.path.join(args.g2p, "train.tsv"))
    WRITES.clear()
    with tempfile.TemporaryDirectory() as directory:
        estimator = LSTMSeq2Seq(
            hidden_size=256,
            dropout=0.2,
            batch_size=32,
            lr=1e-3,
            max_epochs=args.epochs,
            random_state=0,
            checkpoint_dir=directory,
            keep_checkpoint=True,
        )
        start = time.perf_counter()
        estimator.fit(X, y)
        epoch = (time.perf_counter() - start) / estimator.n_iter_
        (name,) = os.listdir(directory)
        size = os.path.getsize(os.path.join(directory, name))
    write = statistics.median(WRITES)
    print(
        f"| g2p (hidden 256, {len(X)} pairs) | | {epoch:.1f} | | {write * 1e3:.0f} ms "
        f"({write / (epoch - write):.2%} of an epoch) | {size / 1e6:.1f} MB |",
        flush=True,
    )


def main():
    parser = make_parser(__doc__.splitlines()[0])
    parser.set_defaults(workloads="ad")
    parser.add_argument("--g2p", help="a directory with CMUdict's train.tsv")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(
        "| workload | s/epoch without | s/epoch with checkpoints | difference | "
        "writing one checkpoint | checkpoint size |"
    )
    print("|---|---|---|---|---|---|")
    for name in args.workloads:
        data = make_workload(name, args, np.random.RandomState(0))
        without, with_ = [], []
        WRITES.clear()
        for _ in range(args.repeats):
            without.append(seconds_per_epoch(data, args))
            with tempfile.TemporaryDirectory() as directory:
                with_.append(seconds_per_epoch(data, args, directory))
        a, b = statistics.median(without), statistics.median(with_)
        write = statistics.median(WRITES)
        size = checkpoint_bytes(data, args)
        print(
            f"| ({name}) | {a:.3f} | {b:.3f} | {b - a:+.3f} s | {write * 1e3:.0f} ms "
            f"({write / a:.1%} of an epoch) | {size / 1e6:.1f} MB |",
            flush=True,
        )
    if args.g2p:
        g2p_row(args)


if __name__ == "__main__":
    main()
