"""Prediction speed of an exported model, and the speed of bfloat16.

Two tables, from one process, on ``bench.py``'s workloads (default: (a), skewed
token lengths; (e), numeric sequences, for the precision table):

1. Predict throughput (sequences/s over the whole data set) of sklstm's
   ``predict_proba``, of the ONNX predictor (``sklstm.onnx.load``, onnxruntime with
   ``--threads`` threads) on the files of both of torch's exporters (dynamo, the
   default, and TorchScript), and of the hand-written torch loop.
2. sklstm with ``precision="32"`` and ``"bf16"``: seconds per training epoch and
   predict throughput (on a CPU without native bfloat16, the bf16 rows are skipped
   with a note).

Each figure is the median of ``--repeats`` runs (``--predict-repeats`` passes each).
Run ``python benchmarks/deploy.py`` (about 5 minutes on 2 CPU cores).
"""

import statistics
import tempfile
from functools import partial
from pathlib import Path

import numpy as np
import torch
from bench import (
    HandModel,
    hand_predictor,
    make_parser,
    make_workload,
    sklstm_estimator,
    time_predict,
)

from sklstm.devices import native_bf16
from sklstm.onnx import export, load


def fit(data, args, epochs, **settings):
    X, _, y, _, shape = data
    estimator = sklstm_estimator(shape, args, max_epochs=epochs, **settings)
    return estimator.fit(X, y)


def predict_speeds(data, args):
    """Sequences/s of sklstm, the ONNX predictor and the hand-written loop."""
    X, tensors, _, lengths, shape = data
    estimator = fit(data, args, epochs=1)
    calls = {"sklstm": lambda: estimator.predict_proba(X)}
    with tempfile.TemporaryDirectory() as folder:
        for name, dynamo in [("dynamo", True), ("TorchScript", False)]:
            path = Path(folder) / f"{name}.onnx"
            export(estimator, path, dynamo=dynamo)
            predictor = load(path, n_threads=args.threads)
            calls[f"ONNX predictor, {name} file"] = partial(predictor.predict_proba, X)
    calls["hand-written torch"] = hand_predictor(
        HandModel(args, shape), tensors, lengths, args
    )
    return {name: len(X) / time_predict(call, args) for name, call in calls.items()}


def precision_speeds(data, args, precision):
    """(s/epoch, sequences/s) of sklstm in ``precision``, medians of repeats."""
    runs = []
    for _ in range(args.repeats):
        estimator = fit(data, args, epochs=args.epochs, precision=precision)
        seconds = time_predict(lambda e=estimator: e.predict_proba(data[0]), args)
        runs.append((statistics.median(estimator.history_[:, "dur"]), seconds))
    epoch, seconds = (statistics.median(column) for column in zip(*runs, strict=True))
    return epoch, len(data[0]) / seconds


def main():
    parser = make_parser(__doc__.splitlines()[0])
    parser.set_defaults(workloads="ae")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {args.threads} threads, CPU")
    workloads = {
        name: make_workload(name, args, np.random.RandomState(0))
        for name in args.workloads
    }
    fit(make_workload("a", args, np.random.RandomState(1)), args, epochs=1)  # warm up

    print("\n| workload | method | predict seq/s | vs sklstm |\n|---|---|---|---|")
    for name, data in workloads.items():
        speeds = predict_speeds(data, args)
        for method, speed in speeds.items():
            ratio = speed / speeds["sklstm"]
            print(f"| ({name}) | {method} | {speed:,.0f} | {ratio:.2f}x |", flush=True)

    if not native_bf16("cpu"):
        print("\nThis CPU has no native bfloat16: no precision table.")
        return
    print(
        "\n| workload | precision | s/epoch | predict seq/s | train speed-up | "
        "predict speed-up |\n|---|---|---|---|---|---|"
    )
    for name, data in workloads.items():
        base = None
        for precision in ("32", "bf16"):
            epoch, speed = precision_speeds(data, args, precision)
            base = base or (epoch, speed)
            print(
                f"| ({name}) | {precision} | {epoch:.2f} | {speed:,.0f} | "
                f"{base[0] / epoch:.2f}x | {speed / base[1]:.2f}x |",
                flush=True,
            )


if __name__ == "__main__":
    main()
