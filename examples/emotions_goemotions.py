"""Multi-label emotions of Reddit comments (GoEmotions) with LSTMMultiLabel
========================================================================

28 labels (27 emotions and neutral), any number per comment. The model gives an
independent probability per label. Reports micro and macro F1 on the development set
as the decision threshold moves, then with a threshold per emotion chosen on a tenth
of the training data held out (``threshold`` takes one value per label).

Run: ``python examples/emotions_goemotions.py [--epochs N] [--data-home DIR]``
(about 4 minutes on 2 CPU cores); the first run downloads GoEmotions (4 MB) into
sklstm's data cache (``sklstm.datasets.get_data_home``, or DIR).
"""

# %%
import argparse
from pathlib import Path

import numpy as np
from plots import OUTPUT, save_classification_figure
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import MultiLabelBinarizer

from sklstm import LSTMMultiLabel
from sklstm.datasets import fetch_goemotions

parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
parser.add_argument("--data-home", type=Path, help="sklstm's data cache")
parser.add_argument("--epochs", type=int, default=6)
parser.add_argument("--out", type=Path, default=OUTPUT)
args = parser.parse_args()

X_train, y_train = fetch_goemotions("train", data_home=args.data_home, return_X_y=True)
X_dev, y_dev = fetch_goemotions("dev", data_home=args.data_home, return_X_y=True)
print(f"GoEmotions: {len(X_train)} training, {len(X_dev)} development comments")

# %%
# A tenth of the training comments is held out to choose each emotion's threshold.
X_fit, X_hold, y_fit, y_hold = train_test_split(
    X_train, y_train, test_size=0.1, random_state=0
)
model = LSTMMultiLabel(
    lowercase=True,
    embedding_dim=100,
    hidden_size=128,
    dropout=0.3,
    max_epochs=args.epochs,
    random_state=0,
    verbose=1,
)
model.fit(X_fit, y_fit)
binarizer = MultiLabelBinarizer(classes=model.classes_)
true_dev = binarizer.fit_transform(y_dev)
proba_dev = model.predict_proba(X_dev)


def f1s(true, predicted):
    return (
        f1_score(true, predicted, average="micro"),
        f1_score(true, predicted, average="macro", zero_division=0),
    )


print("dev, one threshold for all labels:\nthreshold  micro-F1  macro-F1")
for threshold in (0.1, 0.2, 0.3, 0.4, 0.5):
    micro, macro = f1s(true_dev, proba_dev >= threshold)
    print(f"{threshold:9.1f}  {micro:8.3f}  {macro:8.3f}")

# %%
# Rare emotions need lower thresholds: pick each label's on the held-out comments.
true_hold = binarizer.transform(y_hold)
proba_hold = model.predict_proba(X_hold)
candidates = np.linspace(0.05, 0.6, 12)
best = [
    candidates[
        np.argmax(
            [
                f1_score(true_hold[:, k], proba_hold[:, k] >= c, zero_division=0)
                for c in candidates
            ]
        )
    ]
    for k in range(len(model.classes_))
]
model.set_params(threshold=np.array(best))
predicted = binarizer.transform(model.predict(X_dev))
micro, macro = f1s(true_dev, predicted)
print(
    f"dev with per-label thresholds: micro-F1 {micro:.3f}, macro-F1 {macro:.3f}, "
    f"sample-F1 (score) {model.score(X_dev, y_dev):.3f}"
)

# %%
# the confusion matrix of each comment's most probable emotion
top_true = [model.classes_[np.argmax(row)] for row in true_dev]
top_predicted = model.classes_[proba_dev.argmax(axis=1)]
save_classification_figure(
    args.out / "emotions_goemotions.png", model, top_true, top_predicted
)
