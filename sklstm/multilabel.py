"""LSTMMultiLabel: any number of labels per sequence."""

from typing import Any

import numpy as np
from sklearn.base import ClassifierMixin

from sklstm.base import SequenceEstimator
from sklstm.heads import LabelSetHead
from sklstm.hyperparameters import hyperparameter, is_auto, or_value
from sklstm.shared import CLASS_WEIGHT, CONV_FILTERS, PATCH_SIZE, POOLING

__all__ = ["LSTMMultiLabel"]


class LSTMMultiLabel(ClassifierMixin, SequenceEstimator):
    """Tag each sequence with any subset of labels (several can be true at once).

    Each label gets its own logit, trained with
    :class:`torch.nn.BCEWithLogitsLoss`; :meth:`predict_proba` applies an independent
    sigmoid per label, so rows do not sum to 1.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    classes_ : ndarray of shape (n_labels,)
        The labels (column indices when y was an indicator matrix).
    {shared_attributes}

    See Also
    --------
    LSTMClassifier : exactly one class per sequence.

    Examples
    --------
    >>> from sklstm import LSTMMultiLabel
    >>> X = [["goal", "vote"], ["goal"], ["vote"], ["rain"]] * 8
    >>> y = [{"sport", "politics"}, {"sport"}, {"politics"}, set()] * 8
    >>> clf = LSTMMultiLabel(hidden_size=8, lr=0.03, batch_size=8, random_state=0)
    >>> predicted = clf.fit(X, y).predict([["goal", "vote"], ["rain"]])
    >>> [sorted(labels) for labels in predicted]
    [['politics', 'sport'], []]
    """

    pooling: str = POOLING
    patch_size: Any = PATCH_SIZE
    conv_filters: Any = CONV_FILTERS
    class_weight: Any = hyperparameter(
        default=None,
        type='None, "balanced" or dict',
        doc='Weight of each label\'s positive examples in the loss. "balanced" uses '
        "negatives / positives per label (``pos_weight``), which helps rare labels; "
        "a dict maps labels to weights.",
        check=CLASS_WEIGHT.check,
    )
    threshold: Any = hyperparameter(
        default="auto",
        type='"auto", float or array-like of shape (n_labels,)',
        doc="A label is predicted when its probability is at least this; an array "
        "gives each label its own threshold (rare labels often need lower ones). "
        '"auto" is the one threshold of 0.05, 0.10, ..., 0.95 that maximises '
        "micro-F1 on the part held out for early stopping (``threshold_``), or 0.5 "
        "without one, or where no threshold finds a true label there: trained "
        "with a per-label log-loss, a rare label seldom gets a probability above "
        "0.5 even where it is the likeliest.",
        check=or_value("auto", lambda value, name: check_threshold(value)),
    )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        tags.classifier_tags.multi_class = False  # each label is binary
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = False  # y is (n, n_labels) or label sets
        return tags

    _head = LabelSetHead
    _predict_reads = (*SequenceEstimator._predict_reads, "threshold")

    @staticmethod
    def _validation_scoring(net, dataset, y):
        """The measure score() reports, at the threshold of 0.5 (the one to be
        learned is not known yet)."""
        return samples_f1(dataset.y.numpy().astype(bool), net.predict(dataset) > 0)

    def predict_proba(self, X):
        """Probability of each label, shape (n_sequences, n_labels); independent."""
        return self._answer("predict_proba", X)

    def predict(self, X):
        """Labels whose probability reaches ``threshold``, in the form of y in fit."""
        selected = self._selected(X)  # first: it checks that the estimator is fitted
        return self.head_.inverse_transform(selected)

    def _selected(self, X):
        """Indicator of the labels whose probability reaches the threshold."""
        proba = self.predict_proba(X)  # first: it checks that X fits
        return proba >= self._threshold()

    def _threshold(self):
        """The threshold of each label, shape () or (n_labels,)."""
        threshold = self.threshold
        if is_auto(threshold):
            threshold = self.threshold_
        return check_threshold(threshold, len(self.classes_))

    def _export_output(self):
        # the exported model predicts at the threshold the estimator predicts at
        return {**super()._export_output(), "threshold": self._threshold().tolist()}

    def _after_training(self, valid):
        if not is_auto(self.threshold):
            self.threshold_ = self.threshold
            return
        self.threshold_ = 0.5
        if valid is None:
            return
        proba = self.head_.predict_proba(self.net_.forward(valid))
        true = valid.y.numpy().astype(bool)
        candidates = np.round(np.arange(0.05, 0.96, 0.05), 2)
        f1 = [micro_f1(true, proba >= threshold) for threshold in candidates]
        if max(f1) > 0:  # else no threshold finds a true label: none ranks higher
            self.threshold_ = float(candidates[np.argmax(f1)])

    def score(self, X, y, sample_weight=None):
        """Sample-averaged F1 of ``predict(X)`` against ``y``.

        For each sequence, the F1 of its predicted label set against its true one
        (1.0 when both are empty), averaged over sequences: scikit-learn's
        ``f1_score(average="samples", zero_division=1.0)``. Unlike subset accuracy,
        it credits partly right label sets.
        """
        selected = self._selected(X)
        true = self.head_.transform(y).astype(bool)
        return samples_f1(true, selected, sample_weight)


def samples_f1(true, predicted, sample_weight=None):
    """Mean over sequences of the F1 of each one's predicted label set against its
    true one, 1.0 when both are empty: ``f1_score(average="samples",
    zero_division=1.0)``, for one label column too (where scikit-learn refuses
    "samples")."""
    overlap = (true & predicted).sum(axis=1)
    size = true.sum(axis=1) + predicted.sum(axis=1)
    f1 = np.where(size == 0, 1.0, 2 * overlap / np.maximum(size, 1))
    return float(np.average(f1, weights=sample_weight))


def micro_f1(true, predicted):
    """F1 of all (sequence, label) decisions together; 0 when nothing is true or
    predicted."""
    size = true.sum() + predicted.sum()
    return 2 * (true & predicted).sum() / size if size else 0.0


def check_threshold(threshold, n_labels=None):
    """``threshold`` as an array: one value, or one per label, each in [0, 1]."""
    try:
        values = np.asarray(threshold, dtype=np.float64)
    except (TypeError, ValueError):
        values = None
    if values is None or values.ndim > 1:
        raise ValueError(
            f"threshold={threshold!r} is not supported; expected a number in [0, 1] "
            f"or an array of shape ({n_labels or 'n_labels'},), one per label."
        )
    if n_labels is not None and values.ndim and values.shape != (n_labels,):
        raise ValueError(
            f"threshold has shape {values.shape}; expected one value or shape "
            f"({n_labels},), one per label."
        )
    if not ((values >= 0) & (values <= 1)).all():
        raise ValueError(
            f"threshold={threshold!r} is not supported; every threshold must be a "
            "probability in [0, 1]."
        )
    return values
