"""LSTMClassifier: one class per sequence."""

import torch
from sklearn.base import ClassifierMixin
from torch import nn

from sklstm.base import SequenceEstimator, float_tensors
from sklstm.targets import ClassEncoder

__all__ = ["LSTMClassifier"]


class LSTMClassifier(ClassifierMixin, SequenceEstimator):
    """Classify sequences (token lists, raw text, numeric series) with an LSTM or GRU.

    Classes are mutually exclusive: the network's outputs are trained as logits with
    :class:`torch.nn.CrossEntropyLoss`, and :meth:`predict_proba` is their softmax.

    Parameters
    ----------
    pooling : {"last", "mean", "max", "attention"}, default="last"
        How each sequence is summarised: the final hidden state ("last"; for a
        bidirectional net, the forward state at the sequence's last element joined
        with the backward state at its first), or the mean, max or attention-weighted
        mean of the top layer's outputs over the sequence's real steps.
    class_weight : None, "balanced" or dict, default=None
        Weights of the classes in the loss, as in scikit-learn.
    {shared_parameters}

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

    def __init__(self, *, pooling="last", class_weight=None, **params):
        super().__init__(**params)
        self.pooling = pooling
        self.class_weight = class_weight

    _target_encoder = ClassEncoder

    def _criterion(self, y):
        weight = self.target_encoder_.class_weight(self.class_weight, y)
        return nn.CrossEntropyLoss, float_tensors(weight=weight)

    def _stratify(self, y):
        return y

    def predict_proba(self, X):
        """Class probabilities, shape (n_sequences, n_classes); rows sum to 1."""
        logits, _ = self._forward(X)
        return torch.softmax(logits.double(), dim=1).numpy()

    def predict_log_proba(self, X):
        """Log of the class probabilities, from the logits (finite where they are).

        ``log_softmax`` of the logits, not ``log(predict_proba(X))``, which gives
        ``-inf`` for probabilities that round to 0.
        """
        logits, _ = self._forward(X)
        return torch.log_softmax(logits.double(), dim=1).numpy()

    def predict(self, X):
        """The most probable class of each sequence, from ``classes_``."""
        logits, _ = self._forward(X)
        return self.target_encoder_.inverse_transform(logits.argmax(dim=1).numpy())
