"""LSTMMultiLabel: any number of labels per sequence."""

import numpy as np
import torch
from sklearn.base import ClassifierMixin
from torch import nn

from sklstm.base import SequenceEstimator, float_tensors
from sklstm.targets import LabelSetEncoder

__all__ = ["LSTMMultiLabel"]


class LSTMMultiLabel(ClassifierMixin, SequenceEstimator):
    """Tag each sequence with any subset of labels (several can be true at once).

    Each label gets its own logit, trained with
    :class:`torch.nn.BCEWithLogitsLoss`; :meth:`predict_proba` applies an independent
    sigmoid per label, so rows do not sum to 1.

    Parameters
    ----------
    pooling : {"last", "mean", "max", "attention"}, default="last"
        How each sequence is summarised (see :class:`~sklstm.LSTMClassifier`).
    class_weight : None, "balanced" or dict, default=None
        Weight of each label's positive examples in the loss. "balanced" uses
        negatives / positives per label (``pos_weight``), which helps rare labels;
        a dict maps labels to weights.
    threshold : float or array-like of shape (n_labels,), default=0.5
        A label is predicted when its probability is at least this; an array gives
        each label its own threshold (rare labels often need lower ones).
    {shared_parameters}

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

    def __init__(self, *, pooling="last", class_weight=None, threshold=0.5, **params):
        super().__init__(**params)
        self.pooling = pooling
        self.class_weight = class_weight
        self.threshold = threshold

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        tags.classifier_tags.multi_class = False  # each label is binary
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = False  # y is (n, n_labels) or label sets
        return tags

    _target_encoder = LabelSetEncoder

    def _criterion(self, y):
        pos_weight = self.target_encoder_.pos_weight(self.class_weight, y)
        return nn.BCEWithLogitsLoss, float_tensors(pos_weight=pos_weight)

    def predict_proba(self, X):
        """Probability of each label, shape (n_sequences, n_labels); independent."""
        logits, _ = self._forward(X)
        return torch.sigmoid(logits.double()).numpy()

    def predict(self, X):
        """Labels whose probability reaches ``threshold``, in the form of y in fit."""
        selected = self._selected(X)  # checks that the estimator is fitted
        return self.target_encoder_.inverse_transform(selected)

    def _check_params(self):
        super()._check_params()
        self._threshold()

    def _threshold(self, n_labels=None):
        """``threshold`` checked: one value, or one per label, each in [0, 1]."""
        try:
            threshold = np.asarray(self.threshold, dtype=np.float64)
        except (TypeError, ValueError):
            threshold = None
        n = "n_labels" if n_labels is None else n_labels
        if threshold is None or threshold.ndim > 1:
            raise ValueError(
                f"threshold={self.threshold!r} is not supported; expected a number "
                f"in [0, 1] or an array of shape ({n},), one per label."
            )
        if n_labels is not None and threshold.ndim and threshold.shape != (n_labels,):
            raise ValueError(
                f"threshold has shape {threshold.shape}; expected one value or shape "
                f"({n_labels},), one per label."
            )
        if not ((threshold >= 0) & (threshold <= 1)).all():
            raise ValueError(
                f"threshold={self.threshold!r} is not supported; every threshold must "
                "be a probability in [0, 1]."
            )
        return threshold

    def _selected(self, X):
        """Indicator of the labels whose probability reaches the threshold."""
        proba = self.predict_proba(X)
        return proba >= self._threshold(len(self.classes_))

    def score(self, X, y, sample_weight=None):
        """Sample-averaged F1 of ``predict(X)`` against ``y``.

        For each sequence, the F1 of its predicted label set against its true one
        (1.0 when both are empty), averaged over sequences: scikit-learn's
        ``f1_score(average="samples", zero_division=1.0)``. Unlike subset accuracy,
        it credits partly right label sets.
        """
        true = self.target_encoder_.transform(y).astype(bool)
        predicted = self._selected(X)
        overlap = (true & predicted).sum(axis=1)
        size = true.sum(axis=1) + predicted.sum(axis=1)
        f1 = np.where(size == 0, 1.0, 2 * overlap / np.maximum(size, 1))
        return float(np.average(f1, weights=sample_weight))
