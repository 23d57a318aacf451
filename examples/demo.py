"""Demo: sentence sentiment (SST-2) with LSTMClassifier
====================================================

Trains an LSTMClassifier with its default settings on the 6,920 SST-2 training sentences
shipped with sklstm (``sklstm.datasets.fetch_sst``; raw strings, no preprocessing) and
reports accuracy on the 872 development sentences, next to a majority-class baseline.
About a minute on 2 CPU cores."""

# %%
import time

import numpy as np
from plots import OUTPUT, save_classification_figure
from sklearn.metrics import classification_report

from sklstm import LSTMClassifier
from sklstm.datasets import fetch_sst

NAMES = np.array(["negative", "positive"])


def load(subset):
    """Sentences and their labels' names."""
    sentences, labels = fetch_sst(subset, return_X_y=True)
    return sentences, NAMES[labels]


X_train, y_train = load("train")
X_dev, y_dev = load("dev")
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
# sklstm.TrainingCurveDisplay draws the losses per epoch, the held-out tenth's
# accuracy, and the epoch whose weights early stopping kept when that accuracy
# stopped improving.
save_classification_figure(OUTPUT / "demo.png", clf, y_dev, clf.predict(X_dev))
