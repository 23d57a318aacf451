"""Data-parallel training against one process, on the same machine and data.

Trains ``LSTMClassifier`` for a fixed number of epochs on the token workload (a) of
``bench.py`` (4,000 sequences of log-normal lengths, vocabulary 5,000, embedding
64, hidden 128), two ways at the same effective batch size:

- one process with ``--threads`` threads, ``batch_size=B``;
- ``torchrun --nproc_per_node=N`` processes of ``--threads / N`` threads each,
  ``batch_size=B / N`` per rank (``distributed="auto"``, gloo).

Prints seconds per epoch (median over the epochs after the first), the training
loss per epoch of both, and an estimate of what the gradients' all-reduce costs
per step at common interconnect bandwidths, against the step time measured here.

Usage::

    .venv/bin/python benchmarks/distributed.py               # 2 ranks x 1 thread
    .venv/bin/python benchmarks/distributed.py --device cuda --nproc 2 --threads 8
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

import numpy as np

#: ring all-reduce: each rank sends and receives 2 (N - 1) / N times the gradients
BANDWIDTHS_GBIT = {
    "10 GbE": 10,
    "25 GbE": 25,
    "100 Gb InfiniBand": 100,
    "NVLink (300 GB/s)": 2400,
}


def workload(n=4000, vocabulary=5000, seed=0):
    """Token sequences with log-normal lengths (mean about 31), labelled by
    whether one of 100 marker tokens occurs (in about half of them)."""
    rng = np.random.RandomState(seed)
    lengths = np.clip(rng.lognormal(3.2, 0.6, n).astype(int), 2, 400)
    X = [
        rng.randint(1, vocabulary, size=length).astype(str).tolist()
        for length in lengths
    ]
    y = np.array([min(int(t) for t in x) <= 100 for x in X])
    return X, y.astype(int)


def train(args):
    """One fit (in this process, or as one rank under torchrun): its history."""
    import torch

    from sklstm import LSTMClassifier

    torch.set_num_threads(args.threads)
    X, y = workload()
    estimator = LSTMClassifier(
        embedding_dim=64,
        hidden_size=128,
        batch_size=args.batch_size,
        max_epochs=args.epochs,
        early_stopping=False,
        tol=None,
        random_state=0,
        device=args.device,
        distributed=args.distributed,
    ).fit(X, y)
    if int(os.environ.get("RANK", 0)) == 0:
        n_parameters = sum(p.numel() for p in estimator.net_.module_.parameters())
        print(
            json.dumps(
                {
                    "seconds": [row["dur"] for row in estimator.history_],
                    "loss": [row["train_loss"] for row in estimator.history_],
                    "steps": [row["train_batch_count"] for row in estimator.history_],
                    "parameters": n_parameters,
                }
            ),
            flush=True,
        )


def launch(args, nproc, threads, batch_size):
    """Run :func:`train` in a fresh process (or ``nproc`` ranks) of ``threads``
    threads each; rank 0's history."""
    common = [
        __file__,
        "--train",
        "--threads",
        str(threads),
        "--batch-size",
        str(batch_size),
        "--epochs",
        str(args.epochs),
        "--device",
        args.device,
    ]
    if nproc == 1:
        command = [sys.executable, *common, "--distributed", "false"]
    else:
        command = [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--standalone",
            f"--nproc_per_node={nproc}",
            *common,
        ]
    environment = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    done = subprocess.run(
        command, env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nproc", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2, help="in all")
    parser.add_argument("--batch-size", type=int, default=64, help="effective")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--train", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--distributed", default="auto", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.train:
        args.distributed = {"auto": "auto", "false": False}[args.distributed]
        return train(args)
    threads, batch = max(1, args.threads // args.nproc), args.batch_size // args.nproc
    runs = {
        f"1 process x {args.threads} threads, batch {args.batch_size}": launch(
            args, 1, args.threads, args.batch_size
        ),
        f"{args.nproc} ranks x {threads} thread(s), batch {batch} each": launch(
            args, args.nproc, threads, batch
        ),
        # what each rank computes, without the others: the rest is communication
        f"1 process x {threads} thread(s), batch {batch} (one rank's work)": launch(
            args, 1, threads, batch
        ),
    }
    print("| run | s/epoch (median, epochs 2+) | steps/epoch per rank | s/step |")
    print("|---|---|---|---|")
    step_seconds = {}
    for name, run in runs.items():
        seconds = statistics.median(run["seconds"][1:])
        steps = statistics.median(run["steps"])
        step_seconds[name] = seconds / steps
        print(f"| {name} | {seconds:.2f} | {steps:.0f} | {seconds / steps:.4f} |")
    print("\n| epoch | " + " | ".join(f"training loss, {n}" for n in runs) + " |")
    print("|---|" + "---|" * len(runs))
    for epoch in range(args.epochs):
        losses = " | ".join(f"{run['loss'][epoch]:.4f}" for run in runs.values())
        print(f"| {epoch + 1} | {losses} |")
    parameters = next(iter(runs.values()))["parameters"]
    megabytes = parameters * 4 / 1e6
    step = list(step_seconds.values())[1]
    print(
        f"\nGradients all-reduced per step: {parameters:,} parameters x 4 bytes = "
        f"{megabytes:.2f} MB; step time measured here (per rank): {step * 1e3:.1f} ms."
    )
    print("\n| interconnect | all-reduce per step, 8 ranks | communication / step |")
    print("|---|---|---|")
    for name, gbit in BANDWIDTHS_GBIT.items():
        seconds = 2 * 7 / 8 * parameters * 4 * 8 / (gbit * 1e9)
        print(f"| {name} | {seconds * 1e3:.2f} ms | {seconds / step:.2f} |")


if __name__ == "__main__":
    main()
