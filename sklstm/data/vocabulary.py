"""Token <-> index mapping learned from training sequences."""

from collections import Counter
from itertools import chain, repeat

import numpy as np

__all__ = ["Vocabulary"]


class Vocabulary:
    """Map tokens to embedding rows.

    Row 0 is padding and row 1 stands for every unknown token, so known tokens
    start at index 2.

    Parameters
    ----------
    tokens : sequence of hashable
        Known tokens, in index order.

    Examples
    --------
    >>> vocab = Vocabulary.build([["a", "b", "a"], ["c"]], min_frequency=2)
    >>> vocab.index
    {'a': 2}
    >>> vocab.encode(["a", "z"]).tolist()
    [2, 1]
    """

    padding_index = 0
    unknown_index = 1

    def __init__(self, tokens):
        self.index = {token: i for i, token in enumerate(tokens, start=2)}

    @classmethod
    def build(
        cls,
        sequences,
        *,
        min_frequency=1,
        max_size=None,
        extra_tokens=(),
        unknown=(),
    ):
        """Keep tokens seen at least ``min_frequency`` times, most frequent first.

        Ties keep the order of first appearance, so the result is deterministic.
        ``extra_tokens`` (e.g. those of pretrained embeddings) are appended after the
        frequency cut, so a frozen pretrained vector stays usable at predict time.
        The tokens in ``unknown`` are never kept: they always map to the unknown row.
        """
        counts = Counter(chain.from_iterable(sequences))
        for token in unknown:
            counts.pop(token, None)
        kept = [
            t
            for t in sorted(counts, key=counts.get, reverse=True)
            if counts[t] >= min_frequency
        ][:max_size]
        known = set(kept)
        kept += [t for t in dict.fromkeys(extra_tokens) if t not in known]
        return cls(kept)

    def __len__(self):
        return len(self.index) + 2

    def encode(self, tokens):
        """Indices of ``tokens`` (unknown ones map to ``unknown_index``)."""
        unknown = repeat(self.unknown_index, len(tokens))
        return np.fromiter(
            map(self.index.get, tokens, unknown), dtype=np.int64, count=len(tokens)
        )
