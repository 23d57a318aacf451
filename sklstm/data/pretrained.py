"""Pretrained token vectors, as users pass them to ``pretrained_embeddings``."""

import numpy as np

__all__ = ["read_pretrained"]


def read_pretrained(pretrained):
    """``(tokens, vectors)`` from a mapping or an ``(array, tokens)`` pair.

    Examples
    --------
    >>> tokens, vectors = read_pretrained({"a": [1.0, 0.0], "b": [0.0, 1.0]})
    >>> tokens, vectors.shape
    (['a', 'b'], (2, 2))
    """
    if isinstance(pretrained, dict):
        tokens = list(pretrained)
        vectors = [np.asarray(pretrained[t], dtype=np.float32) for t in tokens]
        if len({v.shape for v in vectors}) > 1:
            raise ValueError("pretrained_embeddings has vectors of different sizes.")
        vectors = np.stack(vectors) if vectors else None
    elif isinstance(pretrained, tuple) and len(pretrained) == 2:
        vectors, tokens = (
            np.asarray(pretrained[0], dtype=np.float32),
            list(pretrained[1]),
        )
    else:
        raise TypeError(
            "pretrained_embeddings must be a dict token -> vector or a tuple "
            f"(array, tokens); got {type(pretrained).__name__}."
        )
    if vectors is None or vectors.ndim != 2 or len(vectors) != len(tokens):
        raise ValueError(
            "pretrained_embeddings must hold one vector per token: an array of shape "
            f"(n_tokens, dim) with n_tokens == {len(tokens)}."
        )
    return tokens, vectors
