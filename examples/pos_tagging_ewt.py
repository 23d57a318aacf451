"""Part-of-speech tagging on UD English EWT with LSTMTagger
========================================================

Trains a bidirectional LSTM tagger on the EWT training sentences and reports UPOS
accuracy on the development set, with a classification report per tag, once with
word embeddings alone and once with the character-level word representation
(``char_embedding_dim``), which gives words unseen in training a vector from their
spelling.

Run: ``python examples/pos_tagging_ewt.py [--epochs N] [--data-home DIR]`` (about 5
minutes on 2 CPU cores); the first run downloads UD English EWT (16 MB) into sklstm's
data cache (``sklstm.datasets.get_data_home``, or DIR).
"""

# %%
import argparse
import time
from pathlib import Path

from plots import OUTPUT, save_classification_figure
from sklearn.metrics import classification_report
from skorch.callbacks import LRScheduler
from torch.optim.lr_scheduler import CosineAnnealingLR

from sklstm import LSTMTagger, flatten_tags
from sklstm.datasets import fetch_ud_english_ewt

parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
parser.add_argument("--data-home", type=Path, help="sklstm's data cache")
parser.add_argument("--epochs", type=int, default=15)
parser.add_argument("--out", type=Path, default=OUTPUT)
args = parser.parse_args()

X_train, y_train = fetch_ud_english_ewt(data_home=args.data_home, return_X_y=True)
X_dev, y_dev = fetch_ud_english_ewt("dev", data_home=args.data_home, return_X_y=True)
print(f"EWT: {len(X_train)} training, {len(X_dev)} development sentences")

# %%
# min_frequency=2 sends words seen once to the unknown token during training, so its
# embedding learns what unseen words look like at predict time. Words are looked up
# lowercased (fewer, better-trained rows) while the characters keep their case, which
# tells proper nouns and sentence starts apart. The learning rate decays to zero along
# a cosine over the epochs (a skorch callback): the last epochs settle instead of
# jumping around the minimum.
settings = {
    "embedding_dim": 100,
    "hidden_size": 256,
    "bidirectional": True,
    "dropout": 0.3,
    "lowercase": True,
    "min_frequency": 2,
    "lr": 3e-3,
    "max_epochs": args.epochs,
    "callbacks": [LRScheduler(CosineAnnealingLR, T_max=args.epochs)],
    "random_state": 0,
}
# the tagger reads each word's characters by default (char_embedding_dim="auto");
# 0 turns them off, for the comparison
for name, extra in [("words", {"char_embedding_dim": 0}), ("words + characters", {})]:
    start = time.perf_counter()
    tagger = LSTMTagger(**settings, **extra).fit(X_train, y_train)
    accuracy = tagger.score(X_dev, y_dev)
    print(
        f"{name}: dev UPOS accuracy {accuracy:.4f} "
        f"({time.perf_counter() - start:.0f} s)"
    )

# %%
y_pred = tagger.predict(X_dev)
print(classification_report(flatten_tags(y_dev), flatten_tags(y_pred), digits=3))
save_classification_figure(
    args.out / "pos_tagging_ewt.png", tagger, flatten_tags(y_dev), flatten_tags(y_pred)
)
