"""Encoding read input as arrays for the model: the vocabulary, characters,
standardised features and patches (:class:`InputEncoder`), with numpy alone.

What each input form means is in :mod:`sklstm.data.reading`.
"""

from itertools import chain
from typing import NamedTuple

import numpy as np

from sklstm.data.reading import TOKEN_TYPES, read_sequences
from sklstm.data.vocabulary import Vocabulary

__all__ = ["Encoded", "InputEncoder", "json_value"]

#: characters read of each token by the character-level representation
MAX_WORD_CHARS = 20
#: patch_size="auto" reads a typical numeric series in about this many LSTM steps
AUTO_PATCH_STEPS = 30
#: standardize="auto" scales each univariate series by its own standard deviation
#: when the training series' standard deviations span more than this factor
#: between their 5th and 95th percentiles: one scale for all then leaves the
#: small-amplitude series flat. Measured (benchmarks/README.md, "Scale"): per
#: series gained on the five gesture sets (spreads 2.1 to 18), lost on BME (1.8),
#: and changes nothing on series normalised already (spread 1)
AUTO_SCALE_SPREAD = 2.0
#: ... for series of at least this many steps (the median training series): a
#: shape needs several points, and a short table row is a feature vector
MIN_SHAPE_STEPS = 10
#: a series without variation gets this standard deviation (in units of the
#: training steps') for its log-scale
LOG_SCALE_FLOOR = 1e-8


class Encoded(NamedTuple):
    """Encoded sequences: ``streams`` maps each input of the model (``tokens``,
    ``chars``, ``features``) to the steps of all sequences, one after the other;
    ``lengths`` says how many steps each sequence has."""

    lengths: np.ndarray
    streams: dict


class InputEncoder:
    """Learn from the training X how to encode X of that kind for the model.

    It needs numpy alone, so that an exported model reads input exactly as the
    estimator does (see :meth:`export_state`).

    Parameters
    ----------
    tokenizer : None, str or callable
        Splits raw strings (see :func:`~sklstm.data.tokenize.make_tokenizer`).
    lowercase : bool
        Lowercase string tokens before looking them up in the vocabulary. The
        characters are read as written: capitals still tell the character-level
        representation about names and sentence starts.
    min_frequency, max_vocabulary_size : int, int or None
        Vocabulary cut-offs (see :class:`~sklstm.data.Vocabulary`).
    extra_tokens : iterable
        Tokens always kept in the vocabulary (those of pretrained embeddings),
        lowercased too with ``lowercase``.
    standardize : bool, "per_series" or "auto"
        True scales numeric features to zero mean and unit variance per feature,
        over all training steps. "per_series" first scales each numeric series by
        its own mean and standard deviation per feature and adds, as constant
        features of each step, that mean and the log of that standard deviation,
        in the units True scales to (so the shape is read at every amplitude, and
        the amplitude is not lost). "auto" is "per_series" for univariate numeric
        series (of ``MIN_SHAPE_STEPS`` steps or more) whose scales spread (see
        ``AUTO_SCALE_SPREAD``), else True.
    characters : bool or "auto"
        Also encode each string token's characters (``chars`` stream), for a
        character-level word representation. "auto" does so when the tokens are
        words: strings, not all of one character (single letters have no spelling
        to read).
    patch_size : int or "auto"
        Numeric series (without tokens) are read ``patch_size`` consecutive steps
        at a time: one model step holds their features side by side, plus the share
        of real steps in the patch (the last patch of a series is zero-padded,
        never filled from the next series). "auto" picks the size that reads the
        median training series in about ``AUTO_PATCH_STEPS`` steps.

    Examples
    --------
    >>> encoder = InputEncoder()
    >>> data = encoder.fit_transform([["a", "b"], ["b"]])
    >>> encoder.kind_, sorted(encoder.vocabulary_.index)
    ('tokens', ['a', 'b'])
    >>> encoder.transform([["b", "c"]]).lengths.tolist()
    [2]
    """

    def __init__(
        self,
        *,
        tokenizer=None,
        lowercase=False,
        min_frequency=1,
        max_vocabulary_size=None,
        extra_tokens=(),
        standardize=True,
        characters=False,
        patch_size=1,
    ):
        self.tokenizer = tokenizer
        self.lowercase = lowercase
        self.min_frequency = min_frequency
        self.max_vocabulary_size = max_vocabulary_size
        self.extra_tokens = extra_tokens
        self.standardize = standardize
        self.characters = characters
        self.patch_size = patch_size

    def _vocabulary_keys(self, tokens):
        """``tokens`` as the vocabulary sees them (lowercased if asked)."""
        if not self.lowercase:
            return tokens
        return [t.lower() if isinstance(t, str) else t for t in tokens]

    def embedding_rows(self, tokens):
        """The embedding row of each of ``tokens`` (1 for unknown ones)."""
        return self.vocabulary_.encode(self._vocabulary_keys(tokens))

    def fit_transform(self, X):
        """Learn the vocabulary and feature scaling from X; return it
        :class:`Encoded`."""
        read = read_sequences(X, self.tokenizer)
        self.kind_ = read.kind
        self.token_type_ = read.token_type
        self.n_columns_ = read.n_columns
        self.vocabulary_ = None
        if read.tokens is not None:
            self.vocabulary_ = Vocabulary.build(
                map(self._vocabulary_keys, read.tokens),
                min_frequency=self.min_frequency,
                max_size=self.max_vocabulary_size,
                extra_tokens=self._vocabulary_keys(list(self.extra_tokens)),
            )
        self.char_vocabulary_ = None
        if self.characters == "auto":
            characters = read.token_type == "str" and any(
                len(token) > 1 for seq in read.tokens for token in seq
            )
        else:
            characters = self.characters
        if characters:
            if read.tokens is None or not isinstance(read.tokens[0][0], str):
                raise ValueError(
                    "char_embedding_dim > 0 reads the characters of string tokens, "
                    f"but X holds {read.kind} sequences"
                    + (" of integer tokens." if read.tokens else ".")
                )
            self.char_vocabulary_ = Vocabulary.build(
                _clip_word(t) for seq in read.tokens for t in seq
            )
        self.n_features_ = 0
        self.patch_size_ = 1
        if read.kind == "numeric" and self.patch_size == "auto":
            median = float(np.median(read.lengths))
            self.patch_size_ = max(1, round(median / AUTO_PATCH_STEPS))
        elif read.kind == "numeric":
            self.patch_size_ = self.patch_size
        # series with shapes to read (see MIN_SHAPE_STEPS); per-step features
        # beside tokens belong to the tokens, not to a series
        self.shapes_ = bool(
            read.kind == "numeric" and np.median(read.lengths) >= MIN_SHAPE_STEPS
        )
        if self.standardize == "auto":
            # on multivariate series (one set measured) it did not help
            univariate = self.shapes_ and read.features[0].shape[1] == 1
            spread = univariate and _scale_spread(read.features)
            self.standardize_ = "per_series" if spread else True
        elif self.standardize == "per_series":
            self.standardize_ = "per_series"
        else:
            self.standardize_ = bool(self.standardize)  # a numpy bool is not JSON
        if read.features is not None:
            self.n_features_ = read.features[0].shape[1]
            steps = np.concatenate(read.features)
            self.mean_ = steps.mean(axis=0) if self.standardize_ else 0.0
            # constant features keep unit scale rather than dividing by zero
            std = steps.std(axis=0) if self.standardize_ else 1.0
            self.scale_ = np.where(std > 0, std, 1.0)
        return self._encode(read)

    def transform(self, X):
        """Encode X with what ``fit_transform`` learned; check it is of that kind."""
        read = read_sequences(X, self.tokenizer)
        if read.kind != self.kind_:
            raise ValueError(
                f"X holds {read.kind} sequences, but the estimator was fitted on "
                f"{self.kind_} sequences."
            )
        if read.token_type != self.token_type_:
            raise ValueError(
                f"X holds {TOKEN_TYPES[read.token_type]} tokens, but the estimator "
                f"was fitted on {TOKEN_TYPES[self.token_type_]} tokens; pass tokens "
                "of the type used in fit."
            )
        if read.n_columns is not None and self.n_columns_ not in (None, read.n_columns):
            raise ValueError(
                f"X has {read.n_columns} features, but the estimator is expecting "
                f"{self.n_columns_} features as input (a 2-D array's columns are its "
                "time steps; a list of sequences may have any lengths)."
            )
        if read.features is not None and read.features[0].shape[1] != self.n_features_:
            raise ValueError(
                f"X has {read.features[0].shape[1]} features per step, but the "
                f"estimator is expecting {self.n_features_} features per step."
            )
        return self._encode(read)

    def _encode(self, read):
        streams = {}
        if read.tokens is not None:
            flat = list(chain.from_iterable(read.tokens))
            streams["tokens"] = self.embedding_rows(flat)
            if self.char_vocabulary_ is not None:
                streams["chars"] = self._encode_chars(flat)
        lengths = read.lengths
        if read.features is not None and self.patch_size_ == 1:
            streams["features"] = self._scaled(read.features)
        elif read.features is not None:
            series = np.split(self._scaled(read.features), np.cumsum(lengths)[:-1])
            patches = [_patch(x, self.patch_size_) for x in series]
            streams["features"] = np.concatenate(patches)
            lengths = np.fromiter(map(len, patches), np.int64, len(patches))
        return Encoded(lengths, streams)

    def _scaled(self, features):
        """The steps of the ``(T_i, F)`` series, one after another, scaled by the
        training steps' statistics, or (``standardize_="per_series"``) by each
        series' own, with those beside them."""
        if self.standardize_ == "per_series":
            return np.concatenate(
                [_per_series(x, self.mean_, self.scale_) for x in features]
            )
        steps = np.concatenate(features)  # a new array: scaled in place
        steps -= self.mean_
        steps /= self.scale_
        return steps

    def export_state(self):
        """What :meth:`transform` needs, as JSON values: the rebuilt encoder
        (:meth:`from_state`) reads X exactly as this one does.

        A custom callable ``tokenizer`` cannot be written down, so it is refused.
        """
        if callable(self.tokenizer):
            raise ValueError(
                f"tokenizer={self.tokenizer!r} is a callable, which an exported model "
                "cannot hold. Fit with tokenizer=None or a regular-expression "
                "pattern, or tokenize the text yourself and fit on token lists."
            )
        state = {name: getattr(self, name) for name in _STATE}
        for name in ("vocabulary_", "char_vocabulary_"):
            if state[name] is not None:
                state[name] = [json_value(token) for token in state[name].index]
        state["standardize_"] = self.standardize_
        if self.n_features_:
            state["mean_"] = np.asarray(self.mean_).tolist()
            state["scale_"] = np.asarray(self.scale_).tolist()
        return state

    @classmethod
    def from_state(cls, state):
        """The fitted encoder :meth:`export_state` described."""
        encoder = cls()
        for name in _STATE:
            setattr(encoder, name, state[name])
        for name in ("vocabulary_", "char_vocabulary_"):
            if state[name] is not None:
                setattr(encoder, name, Vocabulary(state[name]))
        # files exported before per-series scaling existed scaled one way
        encoder.standardize_ = state.get("standardize_", True)
        if encoder.n_features_:
            encoder.mean_ = np.asarray(state["mean_"])
            encoder.scale_ = np.asarray(state["scale_"])
        return encoder

    @property
    def n_step_features_(self):
        """Numeric features of one model step (a patch's, when patching)."""
        width = self.n_features_
        if self.n_features_ and self.standardize_ == "per_series":
            width *= 3  # each feature's shape, level and log-scale
        if self.patch_size_ == 1:
            return width
        return width * self.patch_size_ + 1

    def _encode_chars(self, tokens):
        """``(n_tokens, n_chars)`` character indices, zero-padded per word."""
        distinct = {token: row for row, token in enumerate(dict.fromkeys(tokens))}
        words = [_clip_word(token) for token in distinct]
        # at least one column: a word without characters ("") reads as padding
        table = np.zeros((len(words), max(1, *map(len, words))), dtype=np.int64)
        for row, word in enumerate(words):
            table[row, : len(word)] = self.char_vocabulary_.encode(word)
        return table[[distinct[token] for token in tokens]]


#: what transform reads besides the feature scaling (JSON values, or vocabularies)
_STATE = (
    "tokenizer",
    "lowercase",
    "kind_",
    "token_type_",
    "n_columns_",
    "n_features_",
    "patch_size_",
    "vocabulary_",
    "char_vocabulary_",
)


def json_value(value):
    """A token or label as a plain Python value (numpy scalars are not JSON)."""
    return value.item() if isinstance(value, np.generic) else value


def _scale_spread(features):
    """Whether the training series' standard deviations (of a feature) span more
    than ``AUTO_SCALE_SPREAD`` times between their 5th and 95th percentiles
    (series of one step, which have none, do not count)."""
    stds = np.array([x.std(axis=0) for x in features if len(x) > 1])
    if len(stds) == 0:
        return False
    low, high = np.percentile(stds, [5, 95], axis=0)
    return bool((high > AUTO_SCALE_SPREAD * low).any())


def _per_series(x, mean, scale):
    """A series ``(T, F)`` as ``(T, 3F)``: each feature scaled by the series' own
    mean and standard deviation, then that mean and the log of that deviation,
    in units of the training steps' ``mean`` and ``scale``, repeated at every
    step.

    In those units, series that were normalised already (as most UCR sets are)
    get a level and log-scale of about 0, not float noise scaled up to unit
    variance.
    """
    level, spread = x.mean(axis=0), x.std(axis=0)
    shape = (x - level) / np.where(spread > 0, spread, 1.0)
    log_scale = np.log(np.maximum(spread / scale, LOG_SCALE_FLOOR))
    level = (level - mean) / scale
    constant = np.broadcast_to(
        np.concatenate([level, log_scale]), (len(x), 2 * x.shape[1])
    )
    return np.hstack([shape, constant])


def _patch(steps, size):
    """``(T, F)`` steps as ``(ceil(T / size), size * F + 1)`` patches.

    Each patch holds ``size`` consecutive steps side by side; the last one is
    zero-padded, and a last column gives the share of real steps in each patch.
    """
    n_steps, n_features = steps.shape
    n_patches = -(-n_steps // size)
    padded = np.zeros((n_patches * size, n_features))
    padded[:n_steps] = steps
    real = np.minimum(size, n_steps - size * np.arange(n_patches)) / size
    return np.hstack([padded.reshape(n_patches, size * n_features), real[:, None]])


def _clip_word(word, width=MAX_WORD_CHARS):
    """A long word's first and last characters (prefixes and suffixes carry most)."""
    half = width // 2
    return word if len(word) <= width else word[:half] + word[-half:]
