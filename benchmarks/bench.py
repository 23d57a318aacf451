"""Speed of sklstm vs a hand-written loop vs skorch on padded arrays.

One process trains and predicts the same architecture on the same data three ways:

* ``sklstm``: the estimator, given integer token lists (or numeric arrays);
* ``hand``: a hand-written PyTorch loop with today's best practice: length-sorted
  buckets in shuffled order, each batch padded to its own longest sequence, the last
  real step gathered (for a bidirectional net the backward state is read at step 0 of
  the padded batch, so padding leaks into it: fast, but not exact);
* ``skorch``: ``NeuralNetClassifier`` on the data padded once to the global maximum
  length, reading the output at the last padded position (what skorch users do).

Workloads: (a) skewed token lengths, (b) uniform lengths, (c) bidirectional 2-layer
on (a), (d) a per-token tagger on (a), (e) numeric multivariate sequences.

Each figure is the median over ``--repeats`` runs: seconds per training epoch (median
epoch of ``--epochs``), prediction throughput (sequences/s, from the median of
``--predict-repeats`` passes over the training data) and peak memory above the
start of the run (resident memory on CPU, allocated memory on CUDA). skorch, an order
of magnitude slower, runs ``--skorch-epochs`` epochs ``--skorch-repeats`` times.
Everything runs once on small data first, so that one-time allocations count for none.

Run ``python benchmarks/bench.py`` (about 15 minutes on 2 CPU cores); ``--help`` lists
the size options, e.g. ``--n-sequences 200000 --hidden-size 512 --device cuda``, and
``--long-sequence``, which makes one sequence 100 times longer than the rest to show
how memory grows.
"""

import argparse
import os
import statistics
import threading
import time

import numpy as np
import torch
from skorch import NeuralNet, NeuralNetClassifier
from torch import nn

from sklstm import LSTMClassifier, LSTMTagger

# -- data ------------------------------------------------------------------------


def make_workload(name, args, rng):
    """``(X as lists, X as tensors, labels, settings)`` for one workload."""
    n = args.n_sequences
    if name == "b":
        lengths = np.full(n, args.mean_length)
    else:  # log-normal: mean ~34, long tail (max ~265 at n=4000)
        lengths = np.clip(rng.lognormal(3.3, 0.6, size=n).astype(int), 1, None)
    if args.long_sequence:  # one sequence 100 times longer than the longest
        lengths[0] = 100 * lengths.max()
    settings = {
        "bidirectional": name == "c",
        "num_layers": 2 if name == "c" else 1,
        "per_step": name == "d",
        "numeric": name == "e",
    }
    if settings["numeric"]:
        X = [rng.normal(size=(t, args.n_features)).astype(np.float32) for t in lengths]
        tensors = [torch.from_numpy(x) for x in X]
    else:
        X = [rng.randint(2, args.vocab_size, size=t) for t in lengths]
        tensors = [torch.from_numpy(x) for x in X]
        X = [x.tolist() for x in X]
    if settings["per_step"]:
        y = [rng.randint(0, args.n_classes, size=t) for t in lengths]
    else:
        y = rng.randint(0, args.n_classes, size=n)
    return X, tensors, y, lengths, settings


# -- the hand-written reference --------------------------------------------------


class HandModel(nn.Module):
    """Embedding (or features) -> nn.LSTM -> last real step (or each step) -> linear."""

    def __init__(self, args, settings):
        super().__init__()
        self.settings = settings
        if settings["numeric"]:
            self.embedding, input_size = None, args.n_features
        else:
            self.embedding = nn.Embedding(
                args.vocab_size, args.embedding_dim, padding_idx=0
            )
            input_size = args.embedding_dim
        self.lstm = nn.LSTM(
            input_size,
            args.hidden_size,
            settings["num_layers"],
            batch_first=True,
            bidirectional=settings["bidirectional"],
        )
        directions = 2 if settings["bidirectional"] else 1
        self.head = nn.Linear(args.hidden_size * directions, args.n_classes)
        self.hidden_size = args.hidden_size

    def forward(self, x, lengths=None):
        x = x if self.embedding is None else self.embedding(x)
        out, _ = self.lstm(x)
        if self.settings["per_step"]:
            return self.head(out)
        if lengths is None:  # skorch on globally padded arrays: the last position
            return self.head(out[:, -1])
        last = out[torch.arange(len(out)), lengths - 1]
        if self.settings["bidirectional"]:
            last = torch.cat(
                [last[:, : self.hidden_size], out[:, 0, self.hidden_size :]], dim=1
            )
        return self.head(last)


def hand_batches(lengths, batch_size, shuffle):
    order = np.argsort(lengths, kind="stable")
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    if shuffle:
        np.random.shuffle(batches)
    return batches


def hand_collate(tensors, y, index, device, per_step):
    pad = nn.utils.rnn.pad_sequence
    x = pad([tensors[i] for i in index], batch_first=True).to(device)
    lengths = torch.as_tensor([len(tensors[i]) for i in index], device=device)
    if y is None:
        return x, lengths, None
    if per_step:
        target = pad(
            [torch.as_tensor(y[i]) for i in index], batch_first=True, padding_value=-100
        )
    else:
        target = torch.as_tensor(y[index])
    return x, lengths, target.to(device)


def run_hand(data, args):
    X, tensors, y, lengths, settings = data
    model = HandModel(args, settings).to(args.device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss(ignore_index=-100)
    epochs = []
    for _ in range(args.epochs):
        start = time.perf_counter()
        model.train()
        for index in hand_batches(lengths, args.batch_size, shuffle=True):
            x, lens, target = hand_collate(
                tensors, y, index, args.device, settings["per_step"]
            )
            out = model(x, lens)
            loss = loss_fn(out.flatten(0, -2), target.flatten())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        synchronize(args.device)
        epochs.append(time.perf_counter() - start)
    predict = hand_predictor(model, tensors, lengths, args)
    return statistics.median(epochs), time_predict(predict, args)


def hand_predictor(model, tensors, lengths, args):
    """A function that computes the probabilities of all sequences, in buckets."""
    model.eval()

    @torch.no_grad()
    def predict():
        for index in hand_batches(lengths, args.batch_size, shuffle=False):
            x, lens, _ = hand_collate(tensors, None, index, args.device, False)
            torch.softmax(model(x, lens), dim=-1).cpu()

    return predict


# -- skorch on a globally padded array ---------------------------------------------


class StepLoss(nn.CrossEntropyLoss):
    def forward(self, input, target):
        return super().forward(input.flatten(0, 1), target.flatten())


def run_skorch(data, args):
    X, tensors, y, lengths, settings = data
    padded = nn.utils.rnn.pad_sequence(tensors, batch_first=True)
    common = {
        "module": HandModel,
        "module__args": args,
        "module__settings": settings,
        "optimizer": torch.optim.Adam,
        "lr": 1e-3,
        "max_epochs": args.epochs,
        "batch_size": args.batch_size,
        "train_split": None,
        "verbose": 0,
        "device": args.device,
        "iterator_train__shuffle": True,
    }
    if settings["per_step"]:
        target = nn.utils.rnn.pad_sequence(
            [torch.as_tensor(t) for t in y], batch_first=True, padding_value=-100
        )
        net = NeuralNet(criterion=StepLoss, criterion__ignore_index=-100, **common)
    else:
        target = torch.as_tensor(y)
        net = NeuralNetClassifier(criterion=nn.CrossEntropyLoss, **common)
    net.fit(padded, target, epochs=args.skorch_epochs)
    predict = time_predict(lambda: net.forward(padded), args)
    return statistics.median(net.history[:, "dur"]), predict


# -- sklstm ---------------------------------------------------------------------------


def sklstm_estimator(settings, args, **overrides):
    """The unfitted sklstm estimator of a workload's architecture."""
    Estimator = LSTMTagger if settings["per_step"] else LSTMClassifier
    # the hand-written network reads the last real step (text's default pools
    # the maximum) and has no convolutional branch beside the LSTM
    branch = {} if settings["per_step"] else {"conv_filters": None, "pooling": "last"}
    return Estimator(
        **{
            **branch,
            # as the hand-written loop: no dropout, every sequence trained on and
            # no held-out part scored each epoch, all epochs run
            "dropout": 0.0,
            "early_stopping": False,
            "tol": None,
            "embedding_dim": args.embedding_dim,
            "hidden_size": args.hidden_size,
            "num_layers": settings["num_layers"],
            "bidirectional": settings["bidirectional"],
            "standardize": False,
            "max_epochs": args.epochs,
            "batch_size": args.batch_size,
            "lr": 1e-3,
            "device": args.device,
            "random_state": 0,
            **overrides,
        }
    )


def run_sklstm(data, args):
    X, tensors, y, lengths, settings = data
    estimator = sklstm_estimator(settings, args).fit(X, y)
    predict = time_predict(lambda: estimator.predict_proba(X), args)
    return statistics.median(estimator.history_[:, "dur"]), predict


METHODS = {"sklstm": run_sklstm, "hand": run_hand, "skorch": run_skorch}


# -- measuring ---------------------------------------------------------------------


def time_predict(predict, args):
    """Median seconds of ``--predict-repeats`` calls of ``predict`` (one is noisy)."""
    times = []
    for _ in range(args.predict_repeats):
        start = time.perf_counter()
        predict()
        synchronize(args.device)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def synchronize(device):
    if str(device).startswith("cuda"):
        torch.cuda.synchronize()


class PeakMemory:
    """Peak memory above the level at entry: resident set on CPU, allocated on CUDA."""

    def __init__(self, device):
        self.cuda = str(device).startswith("cuda")

    @staticmethod
    def _rss():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def _sample(self):
        while not self._done.wait(0.005):
            self.peak = max(self.peak, self._rss())

    def __enter__(self):
        if self.cuda:
            torch.cuda.reset_peak_memory_stats()
            self.start = torch.cuda.memory_allocated()
            return self
        self.start = self.peak = self._rss()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        if self.cuda:
            self.peak = torch.cuda.max_memory_allocated()
        else:
            self._done.set()
            self._thread.join()
            self.peak = max(self.peak, self._rss())
        self.megabytes = (self.peak - self.start) / 2**20


def measure(method, data, args):
    runs = []
    repeats = args.skorch_repeats if method == "skorch" else args.repeats
    for repeat in range(repeats):
        torch.manual_seed(repeat)
        np.random.seed(repeat)
        with PeakMemory(args.device) as memory:
            epoch, predict = METHODS[method](data, args)
        runs.append((epoch, len(data[0]) / predict, memory.megabytes))
    return [statistics.median(column) for column in zip(*runs, strict=True)]


def warm_up(methods, args):
    """One small run of each method, so one-time allocations count for none."""
    small = argparse.Namespace(
        **{
            **vars(args),
            "n_sequences": 200,
            "epochs": 1,
            "skorch_epochs": 1,
            "predict_repeats": 1,
        }
    )
    for name in args.workloads:
        data = make_workload(name, small, np.random.RandomState(1))
        for method in methods:
            METHODS[method](data, small)


def make_parser(description):
    """The data, model and run options (shared with the other benchmarks)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--workloads", default="abcde")
    parser.add_argument("--methods", default="sklstm,hand,skorch")
    parser.add_argument("--n-sequences", type=int, default=4000)
    parser.add_argument("--mean-length", type=int, default=34)
    parser.add_argument("--vocab-size", type=int, default=5000)
    parser.add_argument("--n-features", type=int, default=16)
    parser.add_argument("--n-classes", type=int, default=2)
    parser.add_argument("--embedding-dim", type=int, default=64)
    parser.add_argument("--hidden-size", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--predict-repeats", type=int, default=5)
    parser.add_argument(
        "--skorch-epochs",
        type=int,
        default=1,
        help="skorch's epochs are slow and steady: fewer suffice",
    )
    parser.add_argument("--skorch-repeats", type=int, default=1)
    parser.add_argument(
        "--long-sequence",
        action="store_true",
        help="make one sequence 100x longer than the longest",
    )
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=2)
    return parser


def main():
    parser = make_parser(__doc__.splitlines()[0])
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    methods = args.methods.split(",")
    warm_up(methods, args)

    print(
        f"torch {torch.__version__}, {args.threads} threads, device {args.device}"
        + (
            f" ({torch.cuda.get_device_name()})"
            if args.device.startswith("cuda")
            else ""
        )
    )
    # ratios are speed-ups of the row's method: above 1 it is faster than the other
    print(
        "| workload | method | s/epoch | predict seq/s | peak MB | "
        "train speed vs hand | vs skorch | predict speed vs hand | vs skorch |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name in args.workloads:
        data = make_workload(name, args, np.random.RandomState(0))
        lengths = data[3]
        label = (
            f"({name}) n={len(lengths)}, mean {lengths.mean():.0f}, max {lengths.max()}"
        )
        results = {m: measure(m, data, args) for m in methods}
        for m, (epoch, throughput, memory) in results.items():
            ratios = []
            for other in ("hand", "skorch"):
                if other in results and other != m:
                    ratios.append(f"{results[other][0] / epoch:.2f}x")
                else:
                    ratios.append("")
            for other in ("hand", "skorch"):
                if other in results and other != m:
                    ratios.append(f"{throughput / results[other][1]:.2f}x")
                else:
                    ratios.append("")
            print(
                f"| {label} | {m} | {epoch:.2f} | {throughput:,.0f} | {memory:,.0f} | "
                + " | ".join(ratios)
                + " |",
                flush=True,
            )


if __name__ == "__main__":
    main()
