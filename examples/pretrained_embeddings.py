"""Pretrained word vectors: build a small table and start LSTMClassifier from it
=============================================================================

Word vectors come from the SST-2 training sentences themselves: a word-word
co-occurrence matrix (window of 4), turned into positive PMI and reduced with a
truncated SVD, the classic count-based recipe (any table you have, e.g. GloVe, is
passed the same way). The classifier then starts its embedding from those vectors,
frozen or trained further, against a random start.

Run: ``python examples/pretrained_embeddings.py`` (about 3 minutes on 2 CPU cores).
"""

# %%
from collections import Counter

import numpy as np
from plots import OUTPUT, save_classification_figure
from scipy import sparse
from sklearn.decomposition import TruncatedSVD

from sklstm import LSTMClassifier
from sklstm.datasets import fetch_sst

X_train, y_train = fetch_sst("train", return_X_y=True)
X_dev, y_dev = fetch_sst("dev", return_X_y=True)
sentences = [text.split() for text in X_train]

# %%
counts = Counter(word for sentence in sentences for word in sentence)
words = [word for word, n in counts.items() if n >= 2]
index = {word: i for i, word in enumerate(words)}
rows, cols = [], []
for sentence in sentences:
    ids = [index[w] for w in sentence if w in index]
    for i, center in enumerate(ids):
        for context in ids[max(0, i - 4) : i]:
            rows += [center, context]
            cols += [context, center]
cooccurrence = sparse.csr_matrix(
    (np.ones(len(rows)), (rows, cols)), shape=(len(words), len(words))
)
total = cooccurrence.sum()
row_sums = np.asarray(cooccurrence.sum(axis=1)).ravel()
pmi = cooccurrence.tocoo()
pmi.data = np.log(pmi.data * total / (row_sums[pmi.row] * row_sums[pmi.col]))
pmi.data = np.maximum(pmi.data, 0)  # positive PMI
vectors = TruncatedSVD(100, random_state=0).fit_transform(pmi.tocsr())
vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-8
print(f"{len(words)} word vectors of size {vectors.shape[1]}")

# %%
settings = {
    "hidden_size": 128,
    "max_epochs": 6,
    "random_state": 0,
}
runs = {
    "random start": {"embedding_dim": 100},
    "pretrained, frozen": {
        "pretrained_embeddings": (vectors, words),
        "freeze_embeddings": True,
    },
    "pretrained, trained further": {"pretrained_embeddings": (vectors, words)},
}
for name, extra in runs.items():
    clf = LSTMClassifier(**settings, **extra).fit(X_train, y_train)
    print(f"{name}: SST-2 development accuracy {clf.score(X_dev, y_dev):.3f}")
save_classification_figure(OUTPUT / "pretrained.png", clf, y_dev, clf.predict(X_dev))
