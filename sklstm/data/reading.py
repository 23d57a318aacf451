"""Reading user input: detect its kind and check it, before it is encoded
(:mod:`sklstm.data.inputs`).

What each input means (the documented contract, see the README):

* a list, tuple, pandas Series or 1-D object array holds one sequence per sample:

  - a string is raw text and is split by the tokenizer;
  - a sequence of strings or of integers is a token sequence;
  - a sequence of floats, a 1-D float array, or a 2-D ``(T_i, F)`` array (or nested
    lists) is a numeric sequence;

* a rectangular numeric array is always numeric, whatever its dtype: a 3-D array is
  ``(n_sequences, T, F)``; a 2-D array or DataFrame is a table whose columns are the
  ``T`` time steps of a univariate sequence, so a table at predict needs the same
  number of columns. Integer token ids therefore go in a list, never in a 2-D array.
  A list is never a table: a list of equal-length lists of floats holds sequences
  that happen to be equally long (and reads as the table it came from would);
* a table with a single column of strings or token lists (``df[["text"]]``, what a
  ``ColumnTransformer`` passes on) holds one sequence per row, like a list;
* a dict ``{"tokens": ..., "features": ...}`` is two aligned streams: a token
  sequence plus a numeric feature row per token.
"""

import sys
from itertools import chain
from numbers import Integral, Real

import numpy as np

from sklstm.data.tokenize import make_tokenizer

__all__ = [
    "EMPTY_TEXT",
    "TOKEN_TYPES",
    "check_column_names",
    "check_numeric_table",
    "column_names",
    "is_table",
    "read_sequences",
    "sequence_column",
]

_STREAMS = {"tokens", "features"}
#: how messages name each token type
TOKEN_TYPES = {"str": "string", "int": "integer"}
#: the token a text without tokens is read as: a token without characters, which
#: the vocabulary learns like any other (many empty rows in training give it an
#: embedding of its own; else it is the unknown token)
EMPTY_TEXT = ""


class _Read:
    """Sequences as read from X, before encoding."""

    def __init__(self, tokens=None, features=None, n_columns=None, token_type=None):
        self.tokens = tokens  # list of token lists, or None
        self.features = features  # list of (T_i, F) float arrays, or None
        self.n_columns = n_columns  # a 2-D array's column count, or None
        self.token_type = token_type  # "str" or "int" for token sequences

    @property
    def kind(self):
        return {
            (True, False): "tokens",
            (False, True): "numeric",
            (True, True): "tokens+features",
        }[self.tokens is not None, self.features is not None]

    @property
    def lengths(self):
        steps = self.tokens if self.tokens is not None else self.features
        return np.fromiter(map(len, steps), dtype=np.int64, count=len(steps))


def _is_sparse(X):
    """Whether X is a scipy sparse matrix; never imports scipy (X cannot be one
    unless scipy is loaded), so reading input needs numpy alone."""
    scipy_sparse = sys.modules.get("scipy.sparse")
    return scipy_sparse is not None and scipy_sparse.issparse(X)


def _describe(X):
    shape = getattr(X, "shape", None)
    return (
        f"{type(X).__name__} of shape {shape}"
        if shape is not None
        else (type(X).__name__)
    )


def _as_sample_list(X, name="X"):
    """X as a Python list of samples, or None when X is a rectangular array."""
    if X is None:
        raise TypeError(f"{name} is None; expected a list of sequences or an array.")
    if isinstance(X, (str, bytes)):
        raise TypeError(
            f"{name} is a single string; expected a list of strings, one per sample "
            f"(e.g. [{X!r}])."
        )
    if hasattr(X, "to_numpy") and getattr(X, "ndim", None) == 1:  # pandas Series
        return X.tolist()
    column = sequence_column(X)
    if column is not None:
        return list(column)
    if isinstance(X, (list, tuple)):
        return list(X)
    if hasattr(X, "__array__") or hasattr(X, "to_numpy"):
        array = np.asarray(X)
        if array.ndim == 1 and array.dtype.kind == "U":  # np.array(texts)
            return array.tolist()
        if array.dtype == object and array.ndim == 1:
            return list(array)
        return None
    raise TypeError(
        f"{name} is a {_describe(X)}; expected a list of sequences, a list of "
        "strings, a 2-D or 3-D numeric array, or a dict with 'tokens' and 'features'."
    )


def _check_finite(values, where):
    if not np.isfinite(values).all():
        raise ValueError(
            f"{where} contains NaN or infinity; sklstm expects finite numbers. "
            "Impute or drop missing values first."
        )


def _as_float(values, where, expected=""):
    """``values`` as a float64 array, or a ValueError naming ``where``."""
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{where} could not be read as numbers{expected}.") from None


def _numeric(values, where):
    array = _as_float(
        values,
        where,
        "; expected a sequence of tokens (all strings or all integers) or of numbers",
    )
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise ValueError(
            f"{where} has {array.ndim} dimensions; a numeric sequence must be 1-D "
            "(univariate) or 2-D (n_steps, n_features). The nesting is too deep."
        )
    _check_finite(array, where)
    return array


def _holds_text(values):
    """Whether an array or column holds strings (an object one may hold numbers)."""
    kind = np.asarray(values).dtype.kind
    if kind == "O":
        return any(isinstance(v, (str, bytes)) for v in np.asarray(values).ravel())
    return kind in "SU"


def _read_array(X, name):
    """A rectangular array: numeric, whatever its dtype."""
    array = np.asarray(X)
    if array.dtype.kind == "c":
        raise ValueError(f"{name} holds complex numbers. Complex data not supported.")
    if array.dtype.kind not in "biuf" and array.dtype != object:
        raise ValueError(
            f"{name} is an array of dtype {array.dtype}; a rectangular array must hold "
            "numbers. Pass text as a list of strings or of token lists."
        )
    if array.ndim not in (2, 3):
        hint = (
            " Reshape your data: X.reshape(1, -1) is one sequence, X.reshape(-1, 1) "
            "is n sequences of one step."
            if array.ndim == 1
            else ""
        )
        raise ValueError(
            f"{name} is a {array.ndim}-D array of shape {array.shape}; expected a 2-D "
            "array (n_sequences, n_steps), a 3-D array (n_sequences, n_steps, "
            f"n_features) or a list of sequences.{hint}"
        )
    array = _as_float(array, name)
    _check_finite(array, name)
    n_columns = array.shape[1] if array.ndim == 2 else None
    if array.ndim == 2:
        array = array[:, :, None]
    if array.shape[1] == 0:
        raise ValueError(
            f"{name} has sequences of length 0; expected at least one step."
        )
    return _Read(features=list(array), n_columns=n_columns)


def _token_kind(seq):
    """'str' or 'int' when ``seq`` is a token sequence, None when it is numeric."""
    types = set(map(type, seq))
    if types == {str} or types == {int}:  # the common case, decided fast
        return types.pop().__name__
    if all(issubclass(t, str) for t in types):
        return "str"
    if all(issubclass(t, (Integral, np.integer)) for t in types):
        return "int"
    if all(issubclass(t, (Real, np.number, list, tuple, np.ndarray)) for t in types):
        return None
    if any(t is type(None) for t in types):
        raise ValueError("it contains None; tokens must be strings or integers.")
    if all(issubclass(t, bytes) for t in types):
        raise ValueError(
            "it holds bytes; tokens must be strings or integers. Decode them first "
            "(token.decode('utf-8'))."
        )
    raise ValueError(
        "it mixes "
        + ", ".join(sorted(t.__name__ for t in types))
        + "; a token sequence must be all strings or all integers, and a numeric "
        "sequence all numbers."
    )


def _read_list(samples, tokenize, name):
    """One sequence per sample: raw text, token sequences or numeric sequences."""
    # the common case, non-empty lists of tokens of one type, is checked in one
    # pass over all tokens; anything else is read sample by sample below
    if all(type(sample) is list and sample for sample in samples):
        types = set(map(type, chain.from_iterable(samples)))
        if types == {str} or types == {int}:
            return _Read(tokens=samples, token_type=types.pop().__name__)
    read = _read_float_arrays(samples)
    if read is not None:
        return read
    tokens, features, token_kinds = [], [], set()
    for i, sample in enumerate(samples):
        where = f"{name}[{i}]"
        if isinstance(sample, str):
            # a text without tokens (an empty row of a text column) is one step,
            # EMPTY_TEXT, where TfidfVectorizer reads it as no words at all
            seq = tokenize(sample) or [EMPTY_TEXT]
        elif (
            isinstance(sample, np.ndarray)
            and sample.ndim == 1
            and (sample.dtype.kind in "biuUSO")
        ):
            seq = sample.tolist()
        elif isinstance(sample, (list, tuple, np.ndarray)):
            seq = sample
        else:
            raise TypeError(
                f"{where} is a {_describe(sample)}; expected a sequence (a string, "
                "a list of tokens, or an array of numbers)."
            )
        if len(seq) == 0:
            raise ValueError(
                f"{where} is an empty sequence; every sequence needs at least one step."
            )
        try:
            kind = None if isinstance(seq, np.ndarray) else _token_kind(seq)
        except ValueError as exc:
            raise ValueError(f"{where} is not a valid sequence: {exc}") from None
        if kind is None:
            features.append(_numeric(seq, where))
        else:
            token_kinds.add(kind)
            tokens.append(seq if isinstance(seq, list) else list(seq))
        if tokens and features:
            raise ValueError(
                f"{name} mixes token sequences and numeric sequences (first mix at "
                f"{where}); pass one kind, or a dict with 'tokens' and 'features'."
            )
    if len(token_kinds) > 1:
        raise ValueError(
            f"{name} mixes string tokens and integer tokens; use one token type "
            "throughout (e.g. convert ids with str())."
        )
    if features:
        n_features = {f.shape[1] for f in features}
        if len(n_features) > 1:
            raise ValueError(
                f"{name} has sequences with different feature counts "
                f"{sorted(n_features)}; every step must have the same number of "
                "features."
            )
        return _Read(features=features)
    return _Read(tokens=tokens, token_type=token_kinds.pop() if tokens else None)


def _read_float_arrays(samples):
    """The common numeric case, non-empty float arrays with as many features per
    step, checked at once (a sample at a time took a fifth of predict's time on
    4,000 short series); None for anything else, which is read sample by sample,
    so errors name the sample."""
    if not samples or not all(
        type(sample) is np.ndarray
        and sample.dtype.kind == "f"
        and sample.ndim in (1, 2)
        and len(sample)
        for sample in samples
    ):
        return None
    features = [sample[:, None] if sample.ndim == 1 else sample for sample in samples]
    if len({f.shape[1] for f in features}) > 1:
        return None
    if not np.isfinite(np.concatenate(features)).all():
        return None
    return _Read(features=[f.astype(np.float64, copy=False) for f in features])


def sequence_column(X):
    """The column of a one-column table of sequences (strings, token lists or
    series arrays), or None.

    Decided from the column's dtype and first entry, without converting the text.
    """
    if getattr(X, "ndim", None) != 2 or X.shape[1] != 1 or not len(X):
        return None
    column = X.iloc[:, 0] if hasattr(X, "iloc") else np.asarray(X)[:, 0]
    if getattr(column.dtype, "kind", "O") in "biufc":
        return None
    first = column.iloc[0] if hasattr(column, "iloc") else column[0]
    return column if isinstance(first, (str, list, tuple, np.ndarray)) else None


def column_names(X):
    """A DataFrame's column names as an object array when they are all strings
    (as scikit-learn records them), else None."""
    columns = getattr(X, "columns", None)
    if columns is None or not all(isinstance(name, str) for name in columns):
        return None
    return np.asarray(columns, dtype=object)


def check_column_names(X, fitted_names):
    """Refuse a DataFrame whose column names differ from ``fitted_names`` (those of
    the DataFrame in fit, or None), as scikit-learn does."""
    names = column_names(X)
    if fitted_names is None or names is None:
        return
    if len(names) != len(fitted_names) or (names != fitted_names).any():
        raise ValueError(
            "The feature names should match those that were passed during fit: "
            f"got {names.tolist()[:10]}, expected {list(fitted_names)[:10]}"
            + (
                " (the same names in another order)."
                if sorted(names) == sorted(fitted_names)
                else "."
            )
        )


def check_numeric_table(X, name="X"):
    """A table of several columns is numeric; say so where some hold text."""
    if _is_sparse(X):
        return
    if hasattr(X, "columns"):  # a DataFrame: name the columns that hold text
        text = [str(column) for column in X.columns if _holds_text(X[column])]
    else:
        text = ["every column"] if _holds_text(np.asarray(X)) else []
    if not text:
        return
    raise ValueError(
        f"{name} is a table of {X.shape[1]} columns, some holding text "
        f"({', '.join(text[:5])}); a table's columns must be the numeric time steps of "
        "a series. Text goes in one column (df[['text']]), a list of strings or of "
        "token lists; text with per-token numbers goes in a dict with 'tokens' and "
        "'features'. To combine a text column with other columns, fit a separate "
        "model per kind (e.g. stacking) or join them into one text."
    )


def is_table(X):
    """Whether X is a 2-D table: a sparse matrix, or a 2-D array or DataFrame other
    than a single column of text. Decided from the container alone, so text is
    never converted: a list is always a list of sequences."""
    if _is_sparse(X):
        return True
    if isinstance(X, (list, tuple, dict, str)) or not (
        hasattr(X, "__array__") or hasattr(X, "to_numpy")
    ):
        return False
    ndim = X.ndim if hasattr(X, "ndim") else np.asarray(X).ndim
    return ndim == 2 and sequence_column(X) is None


def read_sequences(X, tokenizer=None, name="X"):
    """Detect the kind of X and return its sequences, checked."""
    tokenize = make_tokenizer(tokenizer)
    if _is_sparse(X):
        raise TypeError(
            f"{name} is a scipy sparse matrix; sklstm needs dense sequences. "
            "Convert it with X.toarray() or pass a list of sequences."
        )
    if isinstance(X, dict):
        if set(X) != _STREAMS:
            raise ValueError(
                f"{name} is a dict with keys {sorted(map(str, X))}; a dict input must "
                "have exactly the keys 'features' and 'tokens'."
            )
        tokens = read_sequences(X["tokens"], tokenizer, f"{name}['tokens']")
        features = read_sequences(X["features"], tokenizer, f"{name}['features']")
        if tokens.kind != "tokens" or features.kind != "numeric":
            raise ValueError(
                f"{name}['tokens'] must hold token sequences and {name}['features'] "
                f"numeric sequences; got {tokens.kind} and {features.kind}."
            )
        if len(tokens.tokens) != len(features.features):
            raise ValueError(
                f"{name}['tokens'] has {len(tokens.tokens)} sequences but "
                f"{name}['features'] has {len(features.features)}; they must align."
            )
        mismatch = np.flatnonzero(tokens.lengths != features.lengths)
        if mismatch.size:
            i = mismatch[0]
            raise ValueError(
                f"{name}['tokens'][{i}] has {tokens.lengths[i]} tokens but "
                f"{name}['features'][{i}] has {features.lengths[i]} steps; each token "
                "needs exactly one feature row."
            )
        return _Read(
            tokens=tokens.tokens,
            features=features.features,
            token_type=tokens.token_type,
        )
    samples = None if is_table(X) else _as_sample_list(X, name)
    if samples is None:  # a rectangular array
        check_numeric_table(X, name)
        read = _read_array(X, name)
    else:
        read = _read_list(samples, tokenize, name)
    if not (read.tokens or read.features):
        raise ValueError(f"{name} is empty; expected at least one sequence.")
    if read.features is not None and read.features[0].shape[1] == 0:
        raise ValueError(
            f"{name} has numeric sequences with 0 features per step (shape "
            f"{read.features[0].shape} for the first); expected at least one."
        )
    return read
