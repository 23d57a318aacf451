"""Next-token distributions: an LSTM language model is a tagger of next tokens
===========================================================================

``LSTMTagger`` is trained on pairs ``(tokens[:-1], tokens[1:])`` from the SST-2
sentences shipped with sklstm (``sklstm.datasets.fetch_sst``): at every step its label
is the token that follows. ``predict_proba`` then gives, at each step of a prefix, a
distribution over the vocabulary; the last step's distribution is the model's guess at
what comes next, and sampling from it, one token at a time, continues the text.

Run: ``python examples/next_token.py [--epochs N]``; about three minutes on 2 CPU cores.
"""

# %%
import argparse
from collections import Counter

import numpy as np
from plots import OUTPUT, save_distribution_figure

from sklstm import LSTMTagger
from sklstm.datasets import fetch_sst

parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
parser.add_argument("--epochs", type=int, default=8)
parser.add_argument("--prefix", default="the film is")
args = parser.parse_args()

sentences = [["<s>", *text.split(), "</s>"] for text in fetch_sst("train").data]

# Rare words become "<unk>": the label set (the output layer) stays small.
counts = Counter(word for sentence in sentences for word in sentence)
known = {word for word, _ in counts.most_common(3000)}
sentences = [[w if w in known else "<unk>" for w in s] for s in sentences]
X = [s[:-1] for s in sentences]
y = [s[1:] for s in sentences]
print(f"{len(X)} sentences, {sum(map(len, X))} next-token targets")

# %%
# One direction only: a tagger of text is bidirectional by default, and its
# backward direction would read the very token it is asked to predict.
model = LSTMTagger(
    bidirectional=False,
    embedding_dim=64,
    hidden_size=256,
    dropout=0.2,
    lr=3e-3,
    max_epochs=args.epochs,
    random_state=0,
    verbose=1,
)
model.fit(X, y)
print(f"next-token accuracy on the training text: {model.score(X, y):.3f}")


# %%
def next_token_distribution(prefix):
    """P(next token | prefix): the last step's row of predict_proba."""
    return model.predict_proba([prefix])[0][-1]


prefix = ["<s>", *args.prefix.split()]
distribution = next_token_distribution(prefix)
top = np.argsort(distribution)[::-1][:10]
print(
    f"most likely after {' '.join(prefix[1:])!r}:",
    ", ".join(f"{model.classes_[i]} ({distribution[i]:.2f})" for i in top[:5]),
)
save_distribution_figure(
    OUTPUT / "next_token.png",
    model.classes_[top],
    distribution[top],
    f"P(next token | {' '.join(prefix[1:])!r})",
)

# %%
# Sampling from each step's distribution, one token at a time, continues the text.
rng = np.random.default_rng(0)
for _ in range(3):
    text = list(prefix)
    while text[-1] != "</s>" and len(text) < 30:
        p = next_token_distribution(text)
        text.append(model.classes_[rng.choice(len(p), p=p)])
    print("sampled:", " ".join(t for t in text if t not in ("<s>", "</s>")))
