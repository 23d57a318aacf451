"""LSTMClassifier: one class per sequence."""

from typing import Any

from sklearn.base import ClassifierMixin

from sklstm.base import SequenceEstimator
from sklstm.heads import ClassHead
from sklstm.shared import CLASS_WEIGHT, CONV_FILTERS, PATCH_SIZE, POOLING

__all__ = ["LSTMClassifier"]


class LSTMClassifier(ClassifierMixin, SequenceEstimator):
    """Classify sequences (token lists, raw text, numeric series) with an LSTM or GRU.

    Classes are mutually exclusive: the network's outputs are trained as logits with
    :class:`torch.nn.CrossEntropyLoss`, and :meth:`predict_proba` is their softmax.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    {shared_attributes}

    See Also
    --------
    LSTMRegressor : real-valued targets.

    Examples
    --------
    >>> from sklstm import LSTMClassifier
    >>> X = [["good", "film"], ["bad", "plot"], ["good"], ["bad", "bad", "film"]] * 8
    >>> y = ["pos", "neg", "pos", "neg"] * 8
    >>> clf = LSTMClassifier(hidden_size=8, lr=0.03, batch_size=8, random_state=0)
    >>> clf.fit(X, y).predict([["good", "plot"], ["bad"]]).tolist()
    ['pos', 'neg']
    >>> clf.predict_proba([["good"]]).shape
    (1, 2)
    """

    pooling: str = POOLING
    patch_size: Any = PATCH_SIZE
    conv_filters: Any = CONV_FILTERS
    class_weight: Any = CLASS_WEIGHT

    _head = ClassHead
    _validation_scoring = "accuracy"

    def _stratify(self, targets):
        return targets  # the validation split keeps each class's share

    def predict_proba(self, X):
        """Class probabilities, shape (n_sequences, n_classes); rows sum to 1."""
        return self._answer("predict_proba", X)

    def predict_log_proba(self, X):
        """Log of the class probabilities, from the logits (finite where they are).

        ``log_softmax`` of the logits, not ``log(predict_proba(X))``, which gives
        ``-inf`` for probabilities that round to 0.
        """
        return self._answer("predict_log_proba", X)

    def predict(self, X):
        """The most probable class of each sequence, from ``classes_``."""
        return self._answer("predict", X)
