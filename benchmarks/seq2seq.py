"""Speed of LSTMSeq2Seq vs a hand-written batched encoder-decoder of the same size.

Both train the same architecture on the same synthetic pairs (letter strings of 3 to
12 symbols -> symbol strings of about the same length, like grapheme-to-phoneme):
a bidirectional LSTM encoder run packed, its final states concatenated and projected
onto the decoder's size, a decoder LSTM with Luong "general" attention (no input
feeding), teacher forcing with a cross-entropy over real output steps, Adam.

* ``sklstm``: ``LSTMSeq2Seq`` given lists of integer symbols;
* ``hand``: the same model written in plain PyTorch as a tutorial would, with
  length-sorted batches in shuffled order, each padded to its own longest, and
  batched greedy decoding that stops when every sequence has ended.

Figures are medians over ``--repeats`` runs: seconds per training epoch (median epoch
of ``--epochs``) and greedy-decoding throughput (sequences/s, over the training
inputs, each allowed as many steps as sklstm allows it); then the arithmetic rate,
and the decoding throughput of the exported file (``sklstm.onnx``) beside the
estimator's, greedy and with a beam of 5.

Run ``python benchmarks/seq2seq.py`` (about 5 minutes on 2 CPU cores).
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from arithmetic import lstm_flops, matmul_references  # beside this script
from bench import hand_batches
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence

from sklstm import LSTMSeq2Seq
from sklstm.devices import native_bf16
from sklstm.onnx import export, load

PAD, END = 0, 1


def make_pairs(args, rng):
    lengths = rng.randint(3, 13, size=args.n_sequences)
    X = [rng.randint(2, 28, size=n).tolist() for n in lengths]
    y = [
        rng.randint(2, 2 + args.n_outputs, size=max(1, n + rng.randint(-2, 3))).tolist()
        for n in lengths
    ]
    return X, y


class HandSeq2Seq(nn.Module):
    def __init__(self, args):
        super().__init__()
        h = args.hidden_size
        self.source = nn.Embedding(28, args.embedding_dim, padding_idx=PAD)
        self.encoder = nn.LSTM(
            args.embedding_dim, h, batch_first=True, bidirectional=True
        )
        self.bridge = nn.Linear(2 * h, h)
        self.target = nn.Embedding(
            args.n_outputs + 2, args.embedding_dim, padding_idx=PAD
        )
        self.decoder = nn.LSTM(args.embedding_dim, h, batch_first=True)
        self.score = nn.Linear(h, h, bias=False)
        self.combine = nn.Linear(2 * h, h)
        self.out = nn.Linear(h, args.n_outputs + 2)

    def encode(self, x, lengths):
        packed = pack_padded_sequence(
            self.source(x), lengths.cpu(), batch_first=True, enforce_sorted=False
        )
        outputs, (h, c) = self.encoder(packed)
        outputs = nn.utils.rnn.pad_packed_sequence(outputs, batch_first=True)[0]

        def join(state):  # (2, B, H) -> (1, B, H)
            return self.bridge(torch.cat([state[0], state[1]], dim=-1))[None]

        memory = self.bridge(outputs)
        mask = torch.arange(x.size(1))[None] < lengths[:, None]
        return (join(h), join(c)), memory, mask

    def attend(self, decoded, memory, mask):
        scores = self.score(decoded) @ memory.transpose(1, 2)
        scores = scores.masked_fill(~mask[:, None], float("-inf"))
        context = torch.softmax(scores, dim=-1) @ memory
        return self.out(torch.tanh(self.combine(torch.cat([context, decoded], -1))))

    def forward(self, x, lengths, previous):
        state, memory, mask = self.encode(x, lengths)
        decoded, _ = self.decoder(self.target(previous), state)
        return self.attend(decoded, memory, mask)

    @torch.no_grad()
    def greedy(self, x, lengths, limits):
        state, memory, mask = self.encode(x, lengths)
        symbol = torch.full((len(x),), END)
        done = torch.zeros(len(x), dtype=torch.bool)
        outputs = []
        for t in range(int(limits.max()) + 1):
            decoded, state = self.decoder(self.target(symbol)[:, None], state)
            logits = self.attend(decoded, memory, mask)[:, 0]
            logits[:, PAD] = float("-inf")
            symbol = (
                logits.argmax(-1).masked_fill(t >= limits, END).masked_fill(done, PAD)
            )
            outputs.append(symbol)
            done |= symbol == END
            if done.all():
                break
        return torch.stack(outputs, 1)


def run_hand(X, y, limits, args):
    torch.manual_seed(0)
    model = HandSeq2Seq(args)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss(ignore_index=-100)
    xs = [torch.tensor(x) for x in X]
    ys = [torch.tensor(t + [END]) for t in y]
    lengths = np.array([len(x) for x in X])
    epochs = []
    for _ in range(args.epochs):
        start = time.perf_counter()
        model.train()
        for index in hand_batches(lengths, args.batch_size, shuffle=True):
            x = pad_sequence([xs[i] for i in index], batch_first=True)
            target = pad_sequence(
                [ys[i] for i in index], batch_first=True, padding_value=-100
            )
            previous = torch.cat(
                [torch.full((len(index), 1), END), target[:, :-1].clamp(min=PAD)], 1
            )
            logits = model(x, torch.as_tensor(lengths[index]), previous)
            loss = loss_fn(logits.transpose(1, 2), target)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        epochs.append(time.perf_counter() - start)
    model.eval()
    start = time.perf_counter()
    for index in hand_batches(lengths, 2 * args.batch_size, shuffle=False):
        x = pad_sequence([xs[i] for i in index], batch_first=True)
        model.greedy(x, torch.as_tensor(lengths[index]), torch.as_tensor(limits[index]))
    return statistics.median(epochs), len(X) / (time.perf_counter() - start)


def run_sklstm(X, y, args, precision="32"):
    """The fitted model, its median epoch's seconds, and the seconds and steps
    (each output and its end symbol) of greedy decoding of X."""
    model = LSTMSeq2Seq(
        hidden_size=args.hidden_size,
        embedding_dim=args.embedding_dim,
        bidirectional=True,
        dropout=0.0,
        attention="general",
        batch_size=args.batch_size,
        max_epochs=args.epochs,
        early_stopping=False,
        tol=None,
        min_frequency=1,
        precision=precision,
        random_state=0,
    ).fit(X, y)
    epoch = statistics.median(model.history_[:, "dur"])
    start = time.perf_counter()
    outputs = model.predict(X)
    seconds = time.perf_counter() - start
    return model, epoch, seconds, np.array([len(output) + 1 for output in outputs])


def onnx_speeds(model, X, args):
    """Decoding throughput (sequences/s) of the estimator and of its exported
    file in the light predictor (onnxruntime, numpy loops), greedy and with a
    beam of 5. The estimator first: onnxruntime's threads keep spinning for a
    while after a run and slowed torch by up to a third when it ran next."""
    speeds = {}
    beam_sizes = (1, 5)
    for beam_size in beam_sizes:
        model.set_params(beam_size=beam_size)
        speeds["sklstm", beam_size] = throughput(model.predict, X)
    with tempfile.TemporaryDirectory() as folder:
        for beam_size in beam_sizes:
            model.set_params(beam_size=beam_size)  # the file decodes as exported
            export(model, Path(folder) / "model.onnx")
            predictor = load(Path(folder) / "model.onnx", n_threads=args.threads)
            speeds["ONNX", beam_size] = throughput(predictor.predict, X)
    model.set_params(beam_size=1)
    del predictor
    time.sleep(2)  # onnxruntime's threads settle before the next timing
    return speeds


def throughput(predict, X):
    start = time.perf_counter()
    predict(X)
    return len(X) / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-sequences", type=int, default=20000)
    parser.add_argument("--n-outputs", type=int, default=40)
    parser.add_argument("--hidden-size", type=int, default=128)
    parser.add_argument("--embedding-dim", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    X, y = make_pairs(args, np.random.RandomState(0))
    rows = {"sklstm": [], "hand": []}
    decoding = {"32": [], "bf16": []}  # (epoch, decoding seconds, steps) per run
    exported = []
    for _ in range(args.repeats):
        model, epoch, seconds, decoded = run_sklstm(X, y, args)
        rows["sklstm"].append((epoch, len(X) / seconds))
        decoding["32"].append((epoch, seconds, decoded))
        exported.append(onnx_speeds(model, X, args))
        limits = np.ceil(model.length_ratio_ * np.array([len(x) for x in X]))
        rows["hand"].append(run_hand(X, y, limits.astype(int), args))
    if native_bf16("cpu"):
        for _ in range(args.repeats):
            decoding["bf16"].append(run_sklstm(X, y, args, precision="bf16")[1:])
    (ours_epoch, ours_decode), (hand_epoch, hand_decode) = (
        np.median(rows[name], axis=0) for name in ("sklstm", "hand")
    )
    print(
        f"{args.n_sequences} pairs, hidden {args.hidden_size}, batch {args.batch_size}"
    )
    print("| method | train s/epoch | greedy decoding seq/s |")
    print("|---|---|---|")
    print(
        f"| sklstm | {ours_epoch:.2f} ({ours_epoch / hand_epoch:.2f}x hand's time) | "
        f"{ours_decode:,.0f} ({ours_decode / hand_decode:.2f}x hand's speed) |"
    )
    print(f"| hand | {hand_epoch:.2f} | {hand_decode:,.0f} |")
    print_arithmetic(X, y, decoding, args)
    print()
    print("| decoding, seq/s | sklstm (torch) | ONNX file, light predictor |")
    print("|---|---|---|")
    for beam_size in (1, 5):
        ours, onnx = (
            statistics.median(run[name, beam_size] for run in exported)
            for name in ("sklstm", "ONNX")
        )
        print(
            f"| {'greedy' if beam_size == 1 else f'beam of {beam_size}'} | "
            f"{ours:,.0f} | {onnx:,.0f} ({onnx / ours:.2f}x) |"
        )


def print_arithmetic(X, y, decoding, args):
    """sklstm's arithmetic rate (see arithmetic.py) of the encoder's and the
    decoder's gate products in a training epoch and in greedy decoding, beside
    ``torch.matmul`` on their shapes, per precision; attention and the output
    layer are left out (at 40 output symbols and these lengths, small beside
    them)."""
    E, H, B = args.embedding_dim, args.hidden_size, args.batch_size
    encoder = lstm_flops([len(x) for x in X], E, H, 1, 2)
    # teacher forcing: each target and its end symbol
    training = 3 * (encoder + lstm_flops([len(t) + 1 for t in y], E, H, 1, 1))
    T = int(np.mean([len(x) for x in X]))
    print()
    print(
        "| precision | train GFLOP/s | greedy decoding GFLOP/s "
        "| matmul (BT,E)x(E,4H) | matmul (B,H)x(H,4H) | matmul 2048^3 |"
    )
    print("|---|---|---|---|---|---|")
    for precision, runs in decoding.items():
        if not runs:
            continue
        epoch = statistics.median(run[0] for run in runs)
        # the median decoding pass, as the throughput above
        _, seconds, decoded = sorted(runs, key=lambda run: run[1])[len(runs) // 2]
        predicting = encoder + lstm_flops(decoded, E, H, 1, 1)
        print(
            f"| {precision} | {training / epoch / 1e9:.1f} "
            f"({epoch:.2f} s/epoch) | {predicting / seconds / 1e9:.1f} "
            f"({len(X) / seconds:,.0f} seq/s) | "
            f"{matmul_references((B, T), E, H, precision)} |"
        )


if __name__ == "__main__":
    main()
