"""LSTMSeq2Seq: an output sequence of its own length per input sequence."""

from typing import Any

import numpy as np
import torch
from sklearn.metrics import r2_score
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from sklstm.base import SequenceEstimator
from sklstm.heads import OutputSequenceHead
from sklstm.hyperparameters import hyperparameter, integer, one_of, or_value
from sklstm.network import encoder_params
from sklstm.nn import Seq2SeqModel
from sklstm.nn.seq2seq import ATTENTIONS, END, PAD
from sklstm.relative import RELATIVE, relative_inputs, relative_outputs
from sklstm.sequence_targets import FIRST_SYMBOL, with_end
from sklstm.shared import PATCH_SIZE
from sklstm.validation import check_y

__all__ = ["LSTMSeq2Seq"]


def _symbol_outputs(estimator):
    """Whether the estimator predicts symbols (or is not fitted yet): the methods
    of symbol outputs exist only then, as scikit-learn's ``available_if`` does."""
    return not getattr(getattr(estimator, "head_", None), "values", False)


class LSTMSeq2Seq(SequenceEstimator):
    """Map each sequence to an output sequence of any length: an encoder-decoder.

    The encoder reads X as the other estimators do; its final states (each
    sequence's own, after its last real step) start a decoder of the same cell,
    size and depth, which emits the output one step at a time (see
    :class:`~sklstm.nn.Seq2SeqModel` for how a bidirectional encoder's states are
    joined and how attention reads the encoder's outputs).

    y is a list of output sequences. Sequences of strings or integers are
    **symbols**: a target vocabulary ``classes_`` is learned, with start and end
    symbols kept internal; the decoder is trained on the true previous symbol
    (teacher forcing) with a cross-entropy over real output steps (the end
    included), and :meth:`predict` decodes greedily or with a beam search.
    Sequences of floats, ``(T_out,)`` or ``(T_out, F)``, are **values**
    (multi-step forecasting): standardised internally, trained with the squared
    error plus an "ends here" flag per step, and at predict time the decoder feeds
    back its own predictions, for as many steps as every training output had when
    they all had one length (a forecasting horizon), or else until a learned
    "ends here" flag ends them. For a fixed horizon, :class:`~sklstm.LSTMRegressor`
    with a vector target predicts all steps at once (direct multi-output), which
    avoids compounding errors; the decoder shares what it learns across steps and
    takes outputs of any length.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    classes_ : ndarray of shape (n_symbols,)
        The output symbols (symbol outputs only).
    length_ratio_ : float
        The largest output/input length ratio in training, which bounds decoding
        (``max_output_length=None``).
    {shared_attributes}

    Examples
    --------
    >>> from sklstm import LSTMSeq2Seq
    >>> X = [list("abc"), list("ba"), list("cab"), list("ca")] * 16
    >>> y = [list(reversed(x)) for x in X]
    >>> model = LSTMSeq2Seq(hidden_size=32, lr=0.02, max_epochs=40, random_state=0)
    >>> [s.tolist() for s in model.fit(X, y).predict([list("abc"), list("ca")])]
    [['c', 'b', 'a'], ['a', 'c']]
    """

    patch_size: Any = PATCH_SIZE
    attention: Any = hyperparameter(
        default="general",
        type='{"general", "dot"} or None',
        doc="How each decoder step reads the encoder's outputs (Luong style, masked "
        'to real steps): "general" scores them through a learned linear map, "dot" '
        "directly; None reads only the encoder's final states.",
        check=or_value(None, one_of(*ATTENTIONS)),
    )
    beam_size: int = hyperparameter(
        default=1,
        type="int",
        doc="Symbol outputs: 1 decodes greedily; more keeps that many candidate "
        "outputs at each step (beam search) and returns the most likely.",
        check=integer(1),
    )
    max_output_length: Any = hyperparameter(
        default=None,
        type="int or None",
        doc="Most output steps per sequence. None allows each input its length "
        "times the largest output/input length ratio seen in training "
        "(``length_ratio_``).",
        check=integer(1, none=True),
    )
    relative: Any = hyperparameter(
        default=None,
        type='{"difference", "log_ratio"} or None',
        doc="Real-valued outputs from numeric series of as many features: read each "
        "input series, and predict each output step, relative to the input's last "
        'step, as the difference from it or ("log_ratio", positive series) the '
        "log of the ratio to it, rather than as levels. Use it for trending "
        "series, whose future levels leave the range seen in training.",
        check=or_value(None, one_of(*RELATIVE)),
    )

    _head = OutputSequenceHead
    _predict_reads = (
        *SequenceEstimator._predict_reads,
        "beam_size",
        "max_output_length",
        "relative",
    )
    _module = Seq2SeqModel
    _sequence_targets = True

    def _module_params(self, pretrained):
        return {
            **encoder_params(self, pretrained),
            "output_size": self.head_.n_outputs,
            "values": self.head_.values,
            "attention": self.attention,
            "bidirectional_merge": self.bidirectional_merge,
        }

    # -- fitting ---------------------------------------------------------------

    def _fit(self, X, y, sample_weight, *, incremental, classes=None):
        self._check_hyperparameters()  # relative's value, before it is used
        if self.relative is not None:
            X, last = relative_inputs(X, self.relative)
            y = relative_outputs(y, last, self.relative)
        return super()._fit(
            X, y, sample_weight, incremental=incremental, classes=classes
        )

    def _export_output(self):
        """The head's export state and how to decode (see :mod:`sklstm.onnx`)."""
        return {
            **super()._export_output(),
            "length_ratio": self.length_ratio_,
            "beam_size": self.beam_size,
            "max_output_length": self.max_output_length,
            "relative": self.relative,
        }

    def _after_training(self, valid):
        self.length_ratio_ = self.head_.length_ratio_

    # -- predicting ------------------------------------------------------------

    def _generate(self, X, y=None):
        """Decoded outputs (encoded terms) of X, with its dataset; given the true
        outputs ``y``, each is decoded to its length."""
        data = self._prepare(X)
        output_lengths = None
        if y is not None:
            y = check_y(y, len(data), type(self).__name__)
            output_lengths = [len(output) for output in y]
        # real values of one training length (a horizon) always take that length
        fixed = self.head_.output_length_
        exact = output_lengths is not None or fixed is not None
        if output_lengths is None:
            if fixed is not None:
                output_lengths = np.full(len(data), fixed)
            elif self.max_output_length is not None:
                output_lengths = np.full(len(data), self.max_output_length)
            else:
                ratio = self.length_ratio_ * data.lengths.numpy()
                output_lengths = np.maximum(np.ceil(ratio).astype(np.int64), 1)
        kwargs = self.head_.decoding(beam_size=self.beam_size, exact_lengths=exact)
        with self._predicting() as net:
            decoded = net.generate(data, output_lengths, **kwargs)
        return decoded, data

    def predict(self, X):
        """One 1-D array of symbols (or a ``(T_out,)``/``(T_out, F)`` array of
        values, shaped as y was) per sequence."""
        return self._predict(X)

    def _predict(self, X, y=None):
        """predict; given the true outputs ``y``, each decoded to its length."""
        last = None
        if self.relative is not None:
            X, last = relative_inputs(X, self.relative)
        (decoded, lengths), _ = self._generate(X, y)
        outputs = self.head_.inverse_transform(decoded, lengths)
        if last is not None:
            outputs = relative_outputs(outputs, last, self.relative, inverse=True)
        return outputs

    def _teacher_forced(self, data, targets):
        """Log-probabilities ``(T_out_i + 1, n_outputs)`` per sequence of the
        encoded output sequences ``targets`` (:class:`~sklstm.data.Ragged`, each
        ending with END), the END step last."""
        with self._predicting() as net:
            logits = net.forward(data.with_targets(targets))
        logits[:, PAD] = float("-inf")  # never an output
        log_proba = torch.log_softmax(logits.double(), dim=-1)
        return log_proba.split(np.asarray(targets.lengths).tolist())

    @available_if(_symbol_outputs)
    def predict_proba(self, X):
        """Per-step distributions of the decoded outputs.

        One ``(T_out_i, n_symbols + 1)`` array per sequence: a row per predicted
        symbol, with the probability of each of ``classes_`` and, last, of ending
        there. Rows sum to 1.
        """
        (decoded, lengths), data = self._generate(X)
        real = np.arange(decoded.shape[1]) < lengths[:, None]
        targets = with_end(decoded[real], lengths)  # each row's steps, row by row
        log_proba = self._teacher_forced(data, targets)
        # columns: the user's symbols, then END; rows: the steps before END
        columns = [*range(FIRST_SYMBOL, FIRST_SYMBOL + len(self.classes_)), END]
        return [lp[:-1, columns].exp().numpy() for lp in log_proba]

    @available_if(_symbol_outputs)
    def log_likelihood(self, X, y):
        """Log-probability of each given output sequence (end included), shape
        ``(n_sequences,)``: for ranking candidate outputs."""
        data = self._prepare(X)
        targets = self.head_.transform(check_y(y, len(data), type(self).__name__))
        log_proba = torch.cat(self._teacher_forced(data, targets))
        chosen = log_proba[
            torch.arange(len(log_proba)), torch.as_tensor(targets.values)
        ]
        return np.array(
            [float(s.sum()) for s in chosen.split(targets.lengths.tolist())]
        )

    def score(self, X, y):
        """Exact-sequence accuracy for symbols; for values, R^2 over all output
        steps, decoding each sequence to the length of its y."""
        check_is_fitted(self, "net_")
        if not self.head_.values:
            predicted = self.predict(X)
            y = check_y(y, len(predicted), type(self).__name__)
            return float(
                np.mean(
                    [
                        len(p) == len(t) and bool(np.all(p == np.asarray(t)))
                        for p, t in zip(predicted, y, strict=True)
                    ]
                )
            )
        predicted = self._predict(X, y)
        return float(
            r2_score(
                np.concatenate([np.reshape(t, (len(t), -1)) for t in y]),
                np.concatenate([np.reshape(p, (len(p), -1)) for p in predicted]),
            )
        )
