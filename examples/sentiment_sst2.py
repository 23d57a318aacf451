"""Sentence sentiment on SST-2: raw strings through a Pipeline, with GridSearchCV
==============================================================================

A ``FunctionTransformer`` cleans the raw strings and feeds them to ``LSTMClassifier``;
a small ``GridSearchCV`` (3-fold on the training set) picks the hidden size and the
pooling, and the refitted best pipeline is scored on the development set.

Run: ``python examples/sentiment_sst2.py`` (about 4 minutes on 2 CPU cores; SST-2
is shipped with sklstm).
"""

# %%
import argparse
import re
from pathlib import Path

from plots import OUTPUT, save_classification_figure
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sklstm import LSTMClassifier
from sklstm.datasets import fetch_sst

parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
parser.add_argument("--out", type=Path, default=OUTPUT)
args = parser.parse_args()
X_train, y_train = fetch_sst("train", return_X_y=True)
X_dev, y_dev = fetch_sst("dev", return_X_y=True)


def clean(texts):
    """Lowercase and undo the treebank's split contractions ("do n't" -> "don't")."""
    return [re.sub(r" n't\b", "n't", text.lower()) for text in texts]


# %%
pipeline = make_pipeline(
    FunctionTransformer(clean),
    LSTMClassifier(
        embedding_dim=100,
        max_epochs=10,
        random_state=0,
    ),
)
search = GridSearchCV(
    pipeline,
    {
        "lstmclassifier__hidden_size": [64, 128],
        "lstmclassifier__pooling": ["max", "last"],
    },
    cv=3,
)
search.fit(X_train, y_train)
for params, score in zip(
    search.cv_results_["params"], search.cv_results_["mean_test_score"], strict=True
):
    print(f"{params}: cross-validated accuracy {score:.3f}")

# %%
best = search.best_estimator_
print(f"best: {search.best_params_}")
print(f"SST-2 development accuracy: {best.score(X_dev, y_dev):.3f}")
save_classification_figure(
    args.out / "sentiment_sst2.png", best[-1], y_dev, best.predict(X_dev)
)
