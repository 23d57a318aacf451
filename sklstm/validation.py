"""Checks of what fit and predict take: X as a table, y's presence and size,
sample weights."""

import numpy as np
from sklearn.utils.validation import check_array, validate_data

from sklstm.data.reading import (
    check_column_names,
    check_numeric_table,
    column_names,
    is_table,
    sequence_column,
)

__all__ = ["check_sample_weight", "check_table", "check_y", "check_y_sequences"]


def check_y(y, n_sequences, estimator_name):
    """``y`` checked to be given and to hold one target per sequence."""
    if y is None:
        raise ValueError(
            f"{estimator_name} requires y to be passed, but the target y is None."
        )
    if not (hasattr(y, "__len__") or hasattr(y, "shape")):
        y = np.asarray(y)
    if getattr(y, "ndim", 1) == 0:
        raise ValueError(
            f"y is a single value ({y!r}); expected one target per sequence."
        )
    n_targets = y.shape[0] if getattr(y, "shape", None) else len(y)
    if n_targets != n_sequences:
        raise ValueError(
            f"X has {n_sequences} sequences but y has {n_targets} targets; "
            "expected one target per sequence."
        )
    return y


def check_sample_weight(sample_weight, n_sequences):
    """Sample weights as a float array of shape (n_sequences,), or None."""
    if sample_weight is None:
        return None
    weight = np.asarray(sample_weight, dtype=np.float64)
    if weight.ndim == 0:
        weight = np.full(n_sequences, float(weight))
    if weight.shape != (n_sequences,):
        raise ValueError(
            f"sample_weight has shape {weight.shape}; expected ({n_sequences},), one "
            "weight per sequence."
        )
    if not np.isfinite(weight).all() or (weight < 0).any():
        raise ValueError("sample_weight must hold finite, non-negative numbers.")
    if not weight.any():
        raise ValueError(
            "sample_weight is all zero; at least one weight must be non-zero."
        )
    return weight


def check_y_sequences(y, what, example, hint=""):
    """The items of ``y``, each checked to be a sequence: not a string or a scalar.

    ``what`` names the sequences ("label sequences") and ``example`` shows one y.
    """
    if isinstance(y, str) or not hasattr(y, "__iter__"):
        raise ValueError(
            f"y must be a list of {what}, one per input sequence (e.g. {example}); "
            f"got {type(y).__name__}."
        )
    items = list(y)
    for i, item in enumerate(items):
        if isinstance(item, str) or not hasattr(item, "__len__"):
            raise ValueError(
                f"y[{i}] is {item!r}; y must be a list of {what}, one per input "
                f"sequence (e.g. {example}).{hint}"
            )
    return items


def check_table(estimator, X, *, reset):
    """scikit-learn's own checks and feature bookkeeping for a 2-D table X, on
    the estimator.

    A numeric table's columns are the time steps: ``n_features_in_`` (and
    ``feature_names_in_`` for a DataFrame) are set in fit and enforced at
    predict, as for any scikit-learn estimator, when the estimator was fitted on
    a table. A one-column table of sequences (``df[["text"]]``) has one feature,
    its column, whose name is checked likewise. Other inputs pass through to the
    input encoder.
    """
    if reset:
        for name in ("n_features_in_", "feature_names_in_"):
            vars(estimator).pop(name, None)
    if sequence_column(X) is not None:
        if reset:
            estimator.n_features_in_ = 1
            if column_names(X) is not None:
                estimator.feature_names_in_ = column_names(X)
        else:
            check_column_names(X, getattr(estimator, "feature_names_in_", None))
        return X
    if not is_table(X):
        return X
    check_numeric_table(X)
    if reset or estimator.input_encoder_.n_columns_ is not None:
        return validate_data(estimator, X, reset=reset, dtype="numeric")
    # fitted on a list of sequences: a table is sequences of any length
    return check_array(X, dtype="numeric")
