"""Series read, and forecasts made, relative to each input's last step
(:class:`~sklstm.LSTMSeq2Seq`'s ``relative``).

The network then sees each series' shape, never its level, so series at levels
never seen in training read like those that were; forecasts are made as
differences from, or log-ratios to, the last level and turned back into levels.
"""

import numpy as np

from sklstm.data import is_table

__all__ = ["RELATIVE", "relative_inputs", "relative_outputs"]

#: the ways of being relative: a difference, or the log of a ratio
RELATIVE = ("difference", "log_ratio")


def relative_inputs(X, how):
    """Numeric series relative to their last step, and those last steps."""
    sequences = np.asarray(X, dtype=np.float64) if is_table(X) else X
    relative, last = [], []
    for i, x in enumerate(sequences):
        try:
            x = np.asarray(x, dtype=np.float64)
        except (TypeError, ValueError):
            x = None
        if x is None or x.ndim not in (1, 2) or len(x) == 0:
            raise ValueError(
                f"relative={how!r} is for numeric series; X[{i}] is "
                "not a non-empty (T,) or (T, F) array of numbers."
            )
        relative.append(_relative_to(x, x[-1], how, f"X[{i}]"))
        last.append(np.atleast_1d(x[-1]))
    return relative, last


def relative_outputs(y, last, how, *, inverse=False):
    """Output values relative to the levels ``last`` (or, ``inverse``, relative
    ones back to levels)."""
    if len(y) != len(last):
        raise ValueError(
            f"X has {len(last)} sequences but y has {len(y)} output sequences."
        )
    converted = []
    for i, (output, level) in enumerate(zip(y, last, strict=True)):
        try:
            values = np.asarray(output, dtype=np.float64)
        except (TypeError, ValueError):
            values = None
        if values is None or values.ndim not in (1, 2):
            raise ValueError(
                f"relative={how!r} is for real-valued outputs; y[{i}] is {output!r}."
            )
        if values.reshape(len(values), -1).shape[1] != len(level):
            raise ValueError(
                f"relative={how!r} needs output steps with as many "
                f"values as the input's steps ({len(level)}); y[{i}] has "
                f"shape {values.shape}."
            )
        level = level if values.ndim == 2 else level[0]
        converted.append(
            _from_relative(values, level, how)
            if inverse
            else _relative_to(values, level, how, f"y[{i}]")
        )
    return converted


def _relative_to(values, level, how, name):
    if how == "difference":
        return values - level
    if (values <= 0).any():
        raise ValueError(
            f"relative='log_ratio' needs positive series; {name} holds "
            "values <= 0. Use relative='difference'."
        )
    return np.log(values / level)


def _from_relative(values, level, how):
    if how == "difference":
        return values + level
    return level * np.exp(values)
