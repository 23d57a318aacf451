"""Figures the examples save: loss per epoch, and a confusion matrix, a
predicted-vs-true plot or a probability distribution. matplotlib is an optional
extra (``pip install "sklstm[examples]"``); without it the examples skip their
figures."""

from pathlib import Path

import numpy as np

from sklstm import TrainingCurveDisplay

#: where the examples save their figures. A module's __file__, since the gallery
#: runs the examples themselves without one
OUTPUT = Path(__file__).resolve().parent / "output"


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        print("matplotlib is not installed: no figure saved")
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _loss_panel(ax, estimator):
    """Losses, the validation score, the epoch kept and rate changes."""
    TrainingCurveDisplay.from_estimator(estimator, ax=ax, name="Training")


def save_classification_figure(path, estimator, y_true, y_pred, labels=None):
    """Loss per epoch beside the confusion matrix of ``y_pred`` against ``y_true``."""
    plt = _pyplot()
    if plt is None:
        return
    from sklearn.metrics import ConfusionMatrixDisplay

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5))
    _loss_panel(left, estimator)
    ConfusionMatrixDisplay.from_predictions(
        y_true,
        y_pred,
        labels=labels,
        ax=right,
        colorbar=False,
        xticks_rotation="vertical",
        include_values=len(np.unique(y_true)) <= 12,
    )
    _save(fig, path)


def save_regression_figure(path, estimator, y_true, y_pred, title):
    """Loss per epoch beside predictions against true values."""
    plt = _pyplot()
    if plt is None:
        return
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5))
    _loss_panel(left, estimator)
    right.scatter(y_true, y_pred, s=12)
    low, high = np.min(y_true), np.max(y_true)
    right.plot([low, high], [low, high], color="grey", linestyle="--")
    right.set(xlabel="true", ylabel="predicted", title=title)
    _save(fig, path)


def _save(fig, path):
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    print(f"figure saved to {path}")


def save_loss_figure(path, estimator, title):
    """Loss per epoch."""
    plt = _pyplot()
    if plt is None:
        return
    fig, ax = plt.subplots(figsize=(6, 4.5))
    _loss_panel(ax, estimator)
    ax.set_title(title)
    _save(fig, path)


def save_distribution_figure(path, labels, probabilities, title):
    """The probabilities of ``labels`` as horizontal bars, largest on top."""
    plt = _pyplot()
    if plt is None:
        return
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.barh(list(labels)[::-1], list(probabilities)[::-1])
    ax.set(xlabel="probability", title=title)
    _save(fig, path)
