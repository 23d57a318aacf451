"""How close to the machine the LSTM runs: the arithmetic rate of a training epoch
and of prediction, beside a plain ``torch.matmul`` of the same shapes.

The rate counts the floating-point operations of the LSTM's matrix products per
second: per real step of each sequence, layer and direction, the gate products
``x_t W_ih^T`` (2 I 4H) and ``h_{t-1} W_hh^T`` (2 H 4H); a training step counts
three times the forward pass (the backward pass forms the gradients with respect
to the inputs and to the weights, each a product of the same size). Steps of
padding computed inside a batch are not counted, so this is the rate of useful
work. The embedding, the pooling, the head and the gates' elementwise arithmetic
are left out: they are small beside the products at these sizes.

The references are ``torch.matmul`` timed alone on the shapes the LSTM multiplies:
all of a batch's input products at once, ``(B T, I) x (I, 4H)`` with T the mean
length (how torch's LSTM computes them), one step's recurrent product
``(B, H) x (H, 4H)``, and a ``2048 x 2048`` product (near what this machine gives
any product). float32, and bfloat16 where the CPU computes it natively
(``precision="bf16"``; refused elsewhere).

Usage::

    cd benchmarks && ../.venv/bin/python arithmetic.py     # ~3 min on 2 cores

Workloads as in ``bench.py``: (a) tokens, one direction; (c) tokens, both
directions, 2 layers; (d) a tagger. ``--repeats`` fits each (3), ``--epochs``
epochs each (3; the first of each fit is left out as warm-up).
"""

import statistics
import time

import numpy as np
import torch
from bench import make_parser, make_workload, sklstm_estimator, time_predict

from sklstm.devices import native_bf16


def lstm_flops(lengths, input_size, hidden_size, num_layers, directions):
    """Forward FLOPs of the gate products over ``lengths`` real steps."""
    steps = float(np.sum(lengths))
    flops = 0.0
    for layer in range(num_layers):
        inputs = input_size if layer == 0 else hidden_size * directions
        flops += directions * steps * 2 * (inputs + hidden_size) * 4 * hidden_size
    return flops


def matmul_rate(m, k, n, dtype, seconds=1.0):
    """FLOP/s of ``torch.matmul`` on ``(m, k) x (k, n)``, repeated for ``seconds``."""
    a, b = torch.randn(m, k, dtype=dtype), torch.randn(k, n, dtype=dtype)
    torch.matmul(a, b)  # warm up
    calls, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        torch.matmul(a, b)
        calls += 1
    return calls * 2 * m * k * n / (time.perf_counter() - start)


#: torch's dtype of each sklstm precision
DTYPES = {"32": torch.float32, "bf16": torch.bfloat16}


def matmul_references(rows, inputs, hidden_size, precision):
    """FLOP/s of ``torch.matmul`` on an LSTM's input product ``(rows, inputs) x
    (inputs, 4H)``, its recurrent product ``(batch, H) x (H, 4H)`` (``rows`` is
    ``(batch, steps)``) and a 2048^3 product, formatted as table cells."""
    batch, steps = rows
    dtype = DTYPES[precision]
    rates = [
        matmul_rate(batch * steps, inputs, 4 * hidden_size, dtype),
        matmul_rate(batch, hidden_size, 4 * hidden_size, dtype),
        matmul_rate(2048, 2048, 2048, dtype),
    ]
    return " | ".join(f"{rate / 1e9:.1f}" for rate in rates)


def predictor(estimator, X):
    return lambda: estimator.predict_proba(X)


def main():
    parser = make_parser(__doc__.splitlines()[0])
    parser.set_defaults(workloads="acd")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    precisions = ["32", *(["bf16"] if native_bf16("cpu") else [])]
    print(
        "| workload | precision | train GFLOP/s | predict GFLOP/s "
        "| matmul (BT,I)x(I,4H) | matmul (B,H)x(H,4H) | matmul 2048^3 |"
    )
    print("|---|---|---|---|---|---|---|")
    for name in args.workloads:
        X, _, y, lengths, settings = make_workload(name, args, np.random.RandomState(0))
        directions = 2 if settings["bidirectional"] else 1
        forward = lstm_flops(
            lengths,
            args.n_features if settings["numeric"] else args.embedding_dim,
            args.hidden_size,
            settings["num_layers"],
            directions,
        )
        B, H, T = args.batch_size, args.hidden_size, int(np.mean(lengths))
        I = args.embedding_dim  # noqa: E741
        for precision in precisions:
            epochs, predicts = [], []
            for _ in range(args.repeats):
                estimator = sklstm_estimator(settings, args, precision=precision).fit(
                    X, y
                )
                epochs += estimator.history_[:, "dur"][1:]  # the first warms up
                predicts.append(time_predict(predictor(estimator, X), args))
            epoch, predict = statistics.median(epochs), statistics.median(predicts)
            print(
                f"| ({name}) | {precision} | {3 * forward / epoch / 1e9:.1f} "
                f"({epoch:.2f} s/epoch) | {forward / predict / 1e9:.1f} "
                f"({predict:.2f} s) | {matmul_references((B, T), I, H, precision)} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
