"""Demo: sentence sentiment (SST-2) with LSTMClassifier
====================================================

Trains an LSTMClassifier with its default settings on the 6,920 SST-2 training
sentences shipped in ``examples/data/sst2`` (raw strings, no preprocessing) and reports
accuracy on the 872 development sentences, next to a majority-class baseline. About a
minute on 2 CPU cores.
"""

# %%
import time

import numpy as np
from datasets import EXAMPLES, load_sst
from plots import save_classification_figure
from sklearn.metrics import classification_report

from sklstm import LSTMClassifier

DATA = EXAMPLES / "data" / "sst2"
NAMES = np.array(["negative", "positive"])


def load(path):
    """Sentences and their labels' names."""
    sentences, labels = load_sst(path)
    return sentences, NAMES[labels]


X_train, y_train = load(DATA / "train.txt")
X_dev, y_dev = load(DATA / "dev.txt")
print(f"SST-2: {len(X_train)} training and {len(X_dev)} development sentences")

# %%
# The defaults alone: for token input they choose a bidirectional LSTM with max
# pooling and dropout 0.5, read words seen once in training as the unknown token,
# hold out a tenth of the sentences and stop when its accuracy stops improving.
clf = LSTMClassifier(random_state=0, verbose=1)
start = time.perf_counter()
clf.fit(X_train, y_train)
print(
    f"trained {clf.n_iter_} epochs in {time.perf_counter() - start:.0f} s "
    f"({len(clf.vocabulary_)} words in the vocabulary)"
)

# %%
majority = np.mean(y_dev == max(set(y_train), key=list(y_train).count))
print(classification_report(y_dev, clf.predict(X_dev), digits=3))
print(
    f"development accuracy: {clf.score(X_dev, y_dev):.3f} "
    f"(majority-class baseline {majority:.3f})"
)
proba = clf.predict_proba(["a gripping , beautifully acted film"])[0]
print(
    "example:", dict(zip(clf.classes_.tolist(), proba.round(3).tolist(), strict=True))
)

# %%
# The loss per epoch shows where early stopping ended training (the held-out
# tenth's accuracy stopped improving) and kept the best epoch's weights.
save_classification_figure(
    EXAMPLES / "output" / "demo.png", clf, y_dev, clf.predict(X_dev)
)
