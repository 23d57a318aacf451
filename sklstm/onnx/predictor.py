"""Predicting from an exported model with numpy and onnxruntime alone.

An exported file holds the network as an ONNX graph and, in its metadata under
``METADATA_KEY``, everything else predict needs, as JSON:

* ``input``: how the estimator reads X (tokenizer pattern, lowercasing, the
  vocabularies, feature scaling, patch size; see
  :meth:`~sklstm.data.InputEncoder.export_state`);
* ``output``: what the graph's outputs mean, the export state of the estimator's
  head (see :mod:`sklstm.heads`), read by its numpy twin in
  :mod:`sklstm.onnx.heads`: ``kind`` is ``"classes"`` (one class per sequence),
  ``"labels"`` (any set of labels), ``"tags"`` (a class per step) or ``"values"``
  (regression), with the class names, the multi-label threshold and the form of y
  in fit, or the regression targets' scaling;
* ``feature_names``: the DataFrame column names of fit, or null;
* ``estimator``, ``sklstm_version`` and ``format`` (of this layout).

The graph takes ``lengths`` ``(batch,)`` and the padded streams the model reads:
``tokens`` ``(batch, steps)`` (int64 embedding rows), ``chars`` ``(batch, steps,
characters)`` (int64) and ``features`` ``(batch, steps, n)`` (float32); its
``outputs`` are the network's logits (or scaled regression values), ``(batch,
n_outputs)``, or ``(batch, steps, n_outputs)`` for tags.

An encoder-decoder (:class:`~sklstm.LSTMSeq2Seq`, ``kind``
``"symbol_sequences"`` or ``"value_sequences"``, with the decoding settings in
``output``) is two graphs. The file's graph is its encoder, with the inputs above
and as outputs the decoder's initial states ``h`` (and ``c`` for an LSTM), each
``(num_layers, batch, hidden)``, and, with attention, ``memory`` ``(batch, steps,
hidden)``. One decoder step, serialised and base64-encoded under
``DECODER_STEP_KEY`` in the file's metadata, takes ``previous`` (the previous
symbols ``(batch,)``, int64, or values ``(batch, n + 1)``), ``h`` (and ``c``),
and with attention ``memory`` and ``mask`` ``(batch, steps)`` (bool, the real
steps); it gives ``outputs`` (logits, or values and an "ends here" logit) and
``next_h`` (and ``next_c``). :mod:`sklstm.onnx.decoding` loops over it.
"""

import base64
import json
import os

import numpy as np
import onnxruntime

from sklstm.data.inputs import InputEncoder
from sklstm.data.reading import check_column_names
from sklstm.onnx.decoding import DECODING_HEADS
from sklstm.onnx.heads import LIGHT_HEADS
from sklstm.relative import relative_inputs, relative_outputs

__all__ = ["DECODER_STEP_KEY", "METADATA_KEY", "OnnxPredictor", "load"]

METADATA_KEY = "sklstm"
#: where an encoder-decoder's file keeps its decoder step's graph
DECODER_STEP_KEY = "sklstm_decoder_step"
#: the numpy twin of each exported head's kind
HEAD_TWINS = LIGHT_HEADS | DECODING_HEADS
#: version of the metadata layout this module reads and the exporter writes
#: (2: encoder-decoders, with a decoder step)
FORMAT_VERSION = 2


def load(path, *, batch_size=128, n_threads=None):
    """Load an exported model (see :func:`sklstm.onnx.export`) for prediction.

    Parameters
    ----------
    path : str or path-like
    batch_size : int, default=128
        Sequences per run of the graph; sequences of similar lengths are batched
        together, so padding stays short.
    n_threads : int, default=None
        onnxruntime's threads within an operation; None lets it choose (one per
        physical core).

    Returns
    -------
    OnnxPredictor
    """
    return OnnxPredictor(path, batch_size=batch_size, n_threads=n_threads)


class OnnxPredictor:
    """A fitted estimator's predictions from its exported file, without torch.

    It takes X in every form the estimator takes and answers as the estimator
    does: ``predict``, ``predict_proba`` (and ``predict_log_proba`` for classes and
    tags, ``log_likelihood`` for output symbols), with the estimator's own error
    messages for input of the wrong kind.

    Parameters
    ----------
    path, batch_size, n_threads
        See :func:`load`.

    Attributes
    ----------
    estimator : str
        Class name of the exported estimator.
    input_encoder : sklstm.data.InputEncoder
        Reads X as the estimator did.
    classes_ : ndarray or None
        The class (label, tag) names; None for regression.
    feature_names_in_ : ndarray of str or None
        The column names of the DataFrame the estimator was fitted on: a
        DataFrame at predict must have them, in that order.
    metadata : dict
        The file's sklstm metadata.
    """

    def __init__(self, path, *, batch_size=128, n_threads=None):
        _check_positive_int(batch_size, "batch_size")
        if n_threads is not None:
            _check_positive_int(n_threads, "n_threads")
        options = onnxruntime.SessionOptions()
        if n_threads is not None:
            options.intra_op_num_threads = n_threads
        self.session = onnxruntime.InferenceSession(
            os.fspath(path), options, providers=["CPUExecutionProvider"]
        )
        custom = self.session.get_modelmeta().custom_metadata_map
        if METADATA_KEY not in custom:
            raise ValueError(
                f"{os.fspath(path)!r} is an ONNX file without sklstm metadata; "
                "expected a file written by sklstm.onnx.export."
            )
        self.metadata = json.loads(custom[METADATA_KEY])
        if self.metadata["format"] > FORMAT_VERSION:
            raise ValueError(
                f"{os.fspath(path)!r} was exported by sklstm "
                f"{self.metadata['sklstm_version']} in a newer layout (format "
                f"{self.metadata['format']}); this sklstm reads format "
                f"{FORMAT_VERSION}. Upgrade sklstm to load it."
            )
        self.batch_size = batch_size
        self.estimator = self.metadata["estimator"]
        self.input_encoder = InputEncoder.from_state(self.metadata["input"])
        names = self.metadata.get("feature_names")  # files of 0.x before it: None
        self.feature_names_in_ = None if names is None else np.asarray(names, object)
        self.head = HEAD_TWINS[self.metadata["output"]["kind"]](self.metadata["output"])
        if self.head.decodes:  # an encoder-decoder: the graph is its encoder
            self.head.step = onnxruntime.InferenceSession(
                base64.b64decode(custom[DECODER_STEP_KEY]),
                options,
                providers=["CPUExecutionProvider"],
            )
        self.classes_ = self.head.classes_

    def __repr__(self):
        return f"OnnxPredictor({self.estimator})"

    def _batches(self, X):
        """X read as the estimator reads it, in batches of similar lengths:
        ``(positions in X, step index, real steps, feed)`` per batch, the feed
        holding the graph's inputs; and X's lengths."""
        check_column_names(X, self.feature_names_in_)
        lengths, streams = self.input_encoder.transform(X)
        starts = np.cumsum(lengths) - lengths
        # a trailing zero row that padding positions point at
        padded_streams = {
            name: np.concatenate([flat, np.zeros_like(flat[:1])]).astype(
                np.float32 if name == "features" else np.int64, copy=False
            )
            for name, flat in streams.items()
        }
        batches = []
        # similar lengths in one batch: little padding
        order = np.argsort(lengths, kind="stable")
        for begin in range(0, len(order), self.batch_size):
            batch = order[begin : begin + self.batch_size]
            steps = np.arange(lengths[batch].max())
            inside = steps < lengths[batch, None]
            index = np.where(inside, starts[batch, None] + steps, lengths.sum())
            feed = {name: flat[index] for name, flat in padded_streams.items()}
            feed["lengths"] = lengths[batch]
            batches.append((batch, index, inside, feed))
        return batches, lengths

    def _forward(self, X):
        """The graph's outputs for X in X's order (per-step outputs flat,
        sequence after sequence, as ``(n_steps, n_outputs)``), and X's lengths.
        An encoder's outputs are left per batch, ``(positions in X, lengths,
        outputs)``, for the head to decode."""
        batches, lengths = self._batches(X)
        per_step = self.head.step_outputs
        outputs = [] if self.head.decodes else None
        for batch, index, inside, feed in batches:
            result = self.session.run(None, feed)
            if self.head.decodes:
                outputs.append((batch, feed["lengths"], result))
                continue
            result = result[0]
            if outputs is None:
                shape = (lengths.sum() if per_step else len(lengths), result.shape[-1])
                outputs = np.empty(shape, dtype=result.dtype)
            if per_step:
                outputs[index[inside]] = result[inside]
            else:
                outputs[batch] = result
        return outputs, lengths

    def _answer(self, method, X, *args):
        """The head's ``method`` (its numpy twin's) on the graph's outputs for X."""
        answer = getattr(self.head, method, None)
        if answer is None:
            raise AttributeError(f"A {self.estimator} has no {method}.")
        relative = self.metadata["output"].get("relative")
        if relative is None:
            return answer(*self._forward(X), *args)
        # an encoder-decoder reading series, and forecasting, relative to their
        # last steps (see sklstm.relative)
        X, last = relative_inputs(X, relative)
        return relative_outputs(
            answer(*self._forward(X), *args), last, relative, inverse=True
        )

    def predict_proba(self, X):
        """As the estimator's ``predict_proba``: class probabilities (rows sum to
        1), independent label probabilities, or one ``(T_i, n_tags)`` array of tag
        probabilities per sequence."""
        return self._answer("predict_proba", X)

    def predict_log_proba(self, X):
        """As the estimator's ``predict_log_proba``: log-softmax of the logits."""
        return self._answer("predict_log_proba", X)

    def predict(self, X):
        """As the estimator's ``predict``: labels, label sets, tags, values, or
        output sequences."""
        return self._answer("predict", X)

    def log_likelihood(self, X, y):
        """As an encoder-decoder's ``log_likelihood``: each output sequence's
        log-probability (its end included)."""
        return self._answer("log_likelihood", X, y)


def _check_positive_int(value, name):
    # bool is an int to Python, but never a count
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(
            f"{name}={value!r} is not supported; expected an integer >= 1."
        )
