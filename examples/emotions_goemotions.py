"""Multi-label emotions of Reddit comments (GoEmotions) with LSTMMultiLabel.

28 labels (27 emotions and neutral), any number per comment. The model gives an
independent probability per label; ``class_weight="balanced"`` weighs the positives
of rare emotions up. Reports micro and macro F1 on the development set and how they
move with the decision threshold.

Run: ``python examples/emotions_goemotions.py [--data DIR] [--epochs N]`` (about 4
minutes on 2 CPU cores); DIR holds ``train.tsv``, ``dev.tsv`` and ``emotions.txt``.
"""

# %%
import argparse
from pathlib import Path

import numpy as np
from datasets import SHARED_DATA, load_goemotions
from plots import save_classification_figure
from sklearn.metrics import f1_score
from sklearn.preprocessing import MultiLabelBinarizer

from sklstm import LSTMMultiLabel

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--data", type=Path, default=SHARED_DATA / "multilabel_goemotions")
parser.add_argument("--epochs", type=int, default=6)
parser.add_argument("--out", type=Path, default=Path(__file__).parent / "output")
args = parser.parse_args()

emotions = args.data / "emotions.txt"
X_train, y_train = load_goemotions(args.data / "train.tsv", emotions)
X_dev, y_dev = load_goemotions(args.data / "dev.tsv", emotions)
print(f"GoEmotions: {len(X_train)} training, {len(X_dev)} development comments")

# %%
model = LSTMMultiLabel(
    lowercase=True,
    min_frequency=2,
    embedding_dim=100,
    hidden_size=128,
    bidirectional=True,
    pooling="max",
    dropout=0.3,
    class_weight="balanced",
    max_epochs=args.epochs,
    random_state=0,
    verbose=1,
)
model.fit(X_train, y_train)

# %%
binarizer = MultiLabelBinarizer(classes=model.classes_)
true = binarizer.fit_transform(y_dev)
proba = model.predict_proba(X_dev)
print("threshold  micro-F1  macro-F1")
for threshold in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
    predicted = proba >= threshold
    print(
        f"{threshold:9.1f}  {f1_score(true, predicted, average='micro'):8.3f}  "
        f"{f1_score(true, predicted, average='macro', zero_division=0):8.3f}"
    )
predicted = binarizer.transform(model.predict(X_dev))
print(
    f"at the default threshold 0.5: micro-F1 "
    f"{f1_score(true, predicted, average='micro'):.3f}, macro-F1 "
    f"{f1_score(true, predicted, average='macro', zero_division=0):.3f}, "
    f"sample-F1 (score) {model.score(X_dev, y_dev):.3f}"
)

# %%
# the confusion matrix of each comment's most probable emotion
top_true = [model.classes_[np.argmax(row)] for row in true]
top_predicted = model.classes_[proba.argmax(axis=1)]
save_classification_figure(
    args.out / "emotions_goemotions.png", model, top_true, top_predicted
)
