"""Encoding output sequences (sequence-to-sequence targets) and decoding them back.

What y holds decides the encoder (:func:`output_kind`): sequences of strings or
integers are **symbols** (:class:`SymbolSequenceEncoder`), sequences of floats
are **values** (:class:`ValueSequenceEncoder`). Both follow the target-encoder
protocol of :mod:`sklstm.targets`; their encoded targets are
:class:`~sklstm.data.Ragged`, one output sequence per input sequence, of its own
length.
"""

import numbers

import numpy as np

from sklstm.data import Ragged
from sklstm.nn.seq2seq import END
from sklstm.validation import check_y_sequences

__all__ = [
    "SymbolSequenceEncoder",
    "ValueSequenceEncoder",
    "output_kind",
    "with_end",
]

#: output symbols start after padding (0) and the boundary symbol END (1)
FIRST_SYMBOL = END + 1


def output_kind(y):
    """``"symbols"`` or ``"values"``: what the output sequences y hold, read from
    the first one (fitting the encoder of that kind then checks every one, a mix
    of kinds included, so y is not converted twice)."""
    return _kind(_check_sequences(y, first=1))


class _OutputSequences:
    """What both kinds share: checking y, its kind, and the length ratio."""

    needs_classes = False
    classes_ = None
    #: what the output sequences hold: "symbols" or "values"
    holds = None

    def fit_transform(self, y, lengths=None, classes=None):
        sequences = self._checked(y)
        steps, output_lengths = _flat(sequences)
        if lengths is not None:
            # the longest output per input step seen in training bounds decoding
            self.length_ratio_ = float(
                np.max(output_lengths / np.maximum(np.asarray(lengths), 1))
            )
        self._fit(y, steps, output_lengths, classes)
        return self._encode(steps, output_lengths)

    def transform(self, y, lengths=None):
        return self._encode(*_flat(self._checked(y)))

    def _checked(self, y):
        sequences = _check_sequences(y)
        kind = _kind(sequences)
        if kind != self.holds:
            raise ValueError(
                f"y holds {kind}; the estimator was fitted on {self.holds}."
            )
        return sequences

    def loss_weights(self, class_weight, encoded):
        """No weights: ``class_weight`` does not apply to output sequences."""
        return {}


class SymbolSequenceEncoder(_OutputSequences):
    """Output sequences of symbols <-> indices, each ending with an internal end
    symbol the user never sees; ``classes_`` is the symbol vocabulary.

    Examples
    --------
    >>> encoder = SymbolSequenceEncoder()
    >>> encoded = encoder.fit_transform([["b", "a"], ["a"]], lengths=[2, 2])
    >>> encoded.values.tolist(), encoded.lengths.tolist()  # "a" is 2, END is 1
    ([3, 2, 1, 2, 1], [3, 2])
    >>> [s.tolist() for s in encoder.inverse_transform([[3, 2, 1, 0]], [2])]
    [['b', 'a']]
    """

    holds = "symbols"
    #: symbols are decoded until the end symbol, whatever their lengths in fit
    output_length_ = None

    def _fit(self, y, steps, output_lengths, classes):
        self.classes_ = np.unique(steps if classes is None else np.asarray(classes))

    @property
    def n_outputs(self):
        return len(self.classes_) + FIRST_SYMBOL

    def _encode(self, steps, output_lengths):
        unknown = np.setdiff1d(steps, self.classes_)
        if unknown.size:
            raise ValueError(
                f"y contains symbols not seen in fit: {unknown.tolist()[:10]}; "
                f"known symbols are {self.classes_.tolist()[:20]}."
            )
        indices = np.searchsorted(self.classes_, steps) + FIRST_SYMBOL
        return with_end(indices, output_lengths)

    def inverse_transform(self, outputs, lengths):
        """One array of symbols per sequence: the first ``lengths[i]`` of row
        ``i`` of ``outputs``, a padded ``(n, T)`` array of symbol indices."""
        # the whole block is mapped at once: a lookup per sequence took a tenth of
        # predict's time on 20k short sequences. What lies past each length is cut
        # off; padding symbols there (below FIRST_SYMBOL) map to any valid row.
        mapped = self.classes_[np.maximum(np.asarray(outputs) - FIRST_SYMBOL, 0)]
        return [row[:n] for row, n in zip(mapped, lengths, strict=True)]


class ValueSequenceEncoder(_OutputSequences):
    """Real-valued output sequences, ``(T_out,)`` or ``(T_out, F)``, standardised
    per feature over all training steps, each step with an "ends here" flag (1 on
    the last). When all have one length, ``output_length_`` records it (a
    forecasting horizon).

    Examples
    --------
    >>> encoder = ValueSequenceEncoder()
    >>> encoded = encoder.fit_transform([[1.0, 3.0], [3.0, 1.0]])
    >>> encoded.values.tolist()  # each step: its value, then "ends here"
    [[-1.0, 0.0], [1.0, 1.0], [1.0, 0.0], [-1.0, 1.0]]
    >>> encoder.output_length_  # a horizon: every output had 2 steps
    2
    >>> [s.tolist() for s in encoder.inverse_transform([[[1.0], [0.0]]], [1])]
    [[3.0]]
    """

    holds = "values"

    def _fit(self, y, steps, output_lengths, classes):
        if classes is not None:
            raise ValueError("classes is for symbol outputs; y holds real values.")
        # whether every output came 1-D, (T_out,): predict answers so
        self.one_dimensional_ = all(np.ndim(sequence) == 1 for sequence in y)
        self.n_features_ = steps.shape[1]
        self.mean_ = steps.mean(axis=0)
        std = steps.std(axis=0)
        self.scale_ = np.where(std > 0, std, 1.0)
        lengths_seen = set(output_lengths.tolist())
        # one length for all (a forecasting horizon) is the length to predict
        self.output_length_ = lengths_seen.pop() if len(lengths_seen) == 1 else None

    @property
    def n_outputs(self):
        return self.n_features_

    def _encode(self, steps, output_lengths):
        if steps.shape[1] != self.n_features_:
            raise ValueError(
                f"y's steps have {steps.shape[1]} values; the estimator was fitted "
                f"on {self.n_features_}."
            )
        flags = np.zeros((len(steps), 1))
        flags[np.cumsum(output_lengths) - 1] = 1.0
        scaled = (steps - self.mean_) / self.scale_
        return Ragged(np.hstack([scaled, flags]).astype(np.float32), output_lengths)

    def inverse_transform(self, outputs, lengths):
        """One array of values per sequence, shaped as y's in fit: the first
        ``lengths[i]`` steps of ``outputs[i]``, a padded ``(n, T, F)`` array of
        standardised values."""
        mapped = np.asarray(outputs, dtype=np.float64) * self.scale_ + self.mean_
        if self.one_dimensional_:  # (T_out,) in fit, (T_out,) at predict
            mapped = mapped[..., 0]
        return [row[:n] for row, n in zip(mapped, lengths, strict=True)]


def with_end(indices, lengths):
    """Symbol indices of sequences stored flat, each sequence followed by ``END``:
    the decoder's targets, as :class:`~sklstm.data.Ragged`."""
    lengths = np.asarray(lengths, dtype=np.int64)
    values = np.insert(np.asarray(indices, dtype=np.int64), np.cumsum(lengths), END)
    return Ragged(values, lengths + 1)


def _flat(sequences):
    """``(steps of all sequences one after another, each sequence's length)``."""
    return np.concatenate(sequences), np.array([len(s) for s in sequences])


def _check_sequences(y, first=None):
    """y as a list of arrays, each checked to be a non-empty output sequence (of
    the ``first`` ones only, if given)."""
    y = check_y_sequences(
        y,
        "output sequences",
        "[['HH', 'AY'], ['B', 'AY']]",
        hint=" For a string, give its symbols: 'HH AY'.split() or list('word').",
    )
    sequences = []
    for i, sequence in enumerate(y[:first]):
        array = np.asarray(sequence)
        if array.dtype.kind == "U" and not all(isinstance(v, str) for v in sequence):
            array = np.asarray(sequence, dtype=object)  # mixed: _kind says so
        sequence = array
        if len(sequence) == 0:
            raise ValueError(
                f"y[{i}] is an empty output sequence; every output sequence needs "
                "at least one step."
            )
        if sequence.ndim != 1 and sequence.dtype.kind != "f":
            raise ValueError(
                f"y[{i}] has shape {sequence.shape} of {sequence.dtype.kind!r}-kind "
                "steps; an output sequence of symbols (strings or integers) is 1-D, "
                "one symbol per step. For real values with several per step, give "
                "floats: np.asarray(y[i], dtype=float)."
            )
        if sequence.dtype.kind == "f":
            if sequence.ndim == 1:
                sequence = sequence[:, None]
            if sequence.ndim != 2:
                raise ValueError(
                    f"y[{i}] has shape {sequence.shape}; a real-valued output "
                    "sequence is (T_out,) or (T_out, n_values)."
                )
            if not np.isfinite(sequence).all():
                raise ValueError(f"y[{i}] contains NaN or infinity.")
        sequences.append(sequence)
    if not sequences:
        raise ValueError("y is empty; expected one output sequence per input.")
    return sequences


def _kind(sequences):
    """ "symbols" (strings, integers) or "values" (floats); mixed kinds are an error."""
    kinds = set()
    for i, sequence in enumerate(sequences):
        kind = _KINDS.get(sequence.dtype.kind)
        if kind is None:  # an object array: its elements tell
            types = {type(v) for v in sequence.ravel()}
            if all(issubclass(t, str) for t in types):
                kind = "string symbols"
            elif all(issubclass(t, numbers.Integral) for t in types):
                kind = "integer symbols"
            else:
                raise ValueError(
                    f"y[{i}] mixes kinds of steps "
                    f"({sorted(t.__name__ for t in types)}); an output sequence "
                    "holds strings, integers or floats."
                )
        kinds.add(kind)
        if len(kinds) > 1:
            raise ValueError(
                f"y mixes {' and '.join(sorted(kinds))} (y[{i}] holds {kind}); all "
                "output sequences must be of one kind."
            )
    return "values" if kinds == {"values"} else "symbols"


#: numpy dtype kinds of output sequences
_KINDS = {
    "f": "values",
    "i": "integer symbols",
    "u": "integer symbols",
    "b": "integer symbols",
    "U": "string symbols",
}
