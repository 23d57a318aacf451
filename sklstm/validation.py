"""Checks of fit's other arguments: y's presence and size, sample weights."""

import numpy as np

__all__ = ["check_sample_weight", "check_y", "check_y_sequences"]


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
