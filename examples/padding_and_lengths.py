"""How sklstm reads a padded batch of sequences of different lengths, exactly
==========================================================================

A batch of sequences of lengths 6, 4 and 2 is padded to 6 steps. The forward
direction reads each row left to right and reaches its own last step before any
padding. The backward direction does not read the padded row right to left (it
would start on padding): each sequence is reversed *within its own length*, so the
backward pass too starts at the sequence's real last step. ``pooling="last"`` then
joins the forward state at each sequence's last real step with the backward state
at its first step, where the backward pass ends.

The figure draws the three views; the code below it checks the claim numerically:
the batch gives each sequence the same outputs as running it alone, with
:class:`sklstm.nn.Recurrent` and with PyTorch's packed bidirectional LSTM.

Run: ``python examples/padding_and_lengths.py`` (a few seconds, no training).
"""

# %%
# The three views of one padded batch
# -----------------------------------
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.patches import Rectangle
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from sklstm.nn import Recurrent
from sklstm.nn.recurrent import reverse_index

lengths = torch.tensor([6, 4, 2])
steps = int(lengths.max())
backward_order = reverse_index(lengths, steps)  # which step each position reads


def draw(ax, title, label, read_last=None):
    """One panel: a row per sequence, a cell per step; padding in grey."""
    for row, length in enumerate(lengths.tolist()):
        for t in range(steps):
            real = t < length
            ax.add_patch(
                Rectangle(
                    (t, -row),
                    0.92,
                    0.85,
                    facecolor="#cfe3f5" if real else "#e6e6e6",
                    edgecolor="#1f77b4" if real else "#aaaaaa",
                    hatch=None if real else "//",
                )
            )
            text = label(row, t, real)
            ax.text(t + 0.46, -row + 0.42, text, ha="center", va="center")
        if read_last is not None:
            t = read_last(length)
            ax.add_patch(
                Rectangle(
                    (t - 0.04, -row - 0.04), 1.0, 0.93, fill=False, lw=2.5, color="C3"
                )
            )
    ax.set(xlim=(-0.2, steps + 0.1), ylim=(-len(lengths) + 0.8, 1.1), title=title)
    ax.set_yticks([-r + 0.42 for r in range(len(lengths))])
    ax.set_yticklabels([f"length {n}" for n in lengths.tolist()])
    ax.set_xticks([t + 0.46 for t in range(steps)])
    ax.set_xticklabels([f"t={t}" for t in range(steps)])
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)


fig, axes = plt.subplots(1, 3, figsize=(14, 3.6))
draw(
    axes[0],
    "padded batch: real steps, padding",
    lambda row, t, real: f"x{t}" if real else "pad",
)
draw(
    axes[1],
    "backward direction: reversed within each length",
    lambda row, t, real: f"x{int(backward_order[row, t])}" if real else "pad",
)
draw(
    axes[2],
    'pooling="last": forward state at the last step,\n'
    "joined with the backward state at t=0 (where that pass ends)",
    lambda row, t, real: "h→" if real else "pad",
    read_last=lambda length: length - 1,
)
fig.tight_layout()

# %%
# The same numbers as each sequence alone
# ---------------------------------------
# A bidirectional two-layer LSTM runs over the padded batch; each sequence then
# runs alone, unpadded. The outputs at every real step agree to float precision,
# and so do those of PyTorch's packed LSTM with the same weights.
torch.manual_seed(0)
x = torch.randn(len(lengths), steps, 3)
rnn = Recurrent(3, 5, num_layers=2, bidirectional=True).eval()
with torch.no_grad():  # numbers to compare, not to train
    batch = rnn(x, lengths)
    differences = [
        (batch[i, :n] - rnn(x[i : i + 1, :n], lengths[i : i + 1])[0]).abs().max()
        for i, n in enumerate(lengths.tolist())
    ]
print("largest difference, batch vs alone:", float(max(differences)))

packed_lstm = torch.nn.LSTM(3, 5, num_layers=2, bidirectional=True, batch_first=True)
with torch.no_grad():
    for layer, (forward, backward) in enumerate(rnn.layers):
        for direction, source in (("", forward), ("_reverse", backward)):
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(packed_lstm, f"{name}_l{layer}{direction}").copy_(
                    getattr(source, f"{name}_l0")
                )
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    reference = pad_packed_sequence(packed_lstm(packed)[0], batch_first=True)[0]
mask = np.arange(steps) < lengths.numpy()[:, None]
print(
    "largest difference, batch vs packed torch.nn.LSTM:",
    float((batch.flatten(-2) - reference).abs()[torch.from_numpy(mask)].max()),
)
