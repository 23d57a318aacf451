"""Pretrained word vectors: start LSTMClassifier from them, against TF-IDF + LR
============================================================================

By default the word vectors come from the SST-2 training sentences themselves: a
word-word co-occurrence matrix (window of 4), turned into positive PMI and reduced
with a truncated SVD, the classic count-based recipe. With ``--vectors NAME`` they
are downloaded instead (``sklstm.datasets.fetch_word_vectors``: GloVe 6B or
fastText), keeping only the training words' rows. The classifier then starts its
embedding from those vectors, frozen or trained further, against a random start,
beside the model a user tries first: TF-IDF (word 1-2-grams and character
2-5-grams) and a logistic regression.

Run: ``python examples/pretrained_embeddings.py [--vectors glove.6B.100d]
[--data-home DIR]`` (about 3 minutes on 2 CPU cores, and the download: 134 MB for
glove.6B.100d, into sklstm's data cache).
"""

# %%
import argparse
from collections import Counter
from pathlib import Path

import numpy as np
from plots import OUTPUT, save_classification_figure
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline, make_union

from sklstm import LSTMClassifier
from sklstm.datasets import WORD_VECTORS, fetch_sst, fetch_word_vectors

parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
parser.add_argument("--vectors", choices=list(WORD_VECTORS))
parser.add_argument("--data-home", type=Path, help="sklstm's data cache")
args = parser.parse_args()

X_train, y_train = fetch_sst("train", return_X_y=True)
X_dev, y_dev = fetch_sst("dev", return_X_y=True)
sentences = [text.split() for text in X_train]

# %%
# The baseline: three lines of scikit-learn, fitted in seconds.
tfidf_lr = make_pipeline(
    make_union(
        TfidfVectorizer(ngram_range=(1, 2)),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5)),
    ),
    LogisticRegression(C=10, max_iter=1000),
).fit(X_train, y_train)
print(f"TF-IDF + LR: SST-2 development accuracy {tfidf_lr.score(X_dev, y_dev):.3f}")


# %%
def count_based_vectors(sentences):
    """``(vectors, words)``: positive PMI of co-occurrences, reduced by SVD."""
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
    return vectors, words


vectors, words = (
    fetch_word_vectors(
        args.vectors,
        vocabulary={word for sentence in sentences for word in sentence},
        data_home=args.data_home,
    )
    if args.vectors
    else count_based_vectors(sentences)
)
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
