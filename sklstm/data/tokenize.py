"""Splitting raw strings into tokens."""

import re

__all__ = ["RegexTokenizer", "make_tokenizer"]

DEFAULT_TOKEN_PATTERN = r"\w+|[^\w\s]"


class RegexTokenizer:
    """Split a string into the matches of a regular expression.

    A plain class rather than a lambda so that fitted estimators stay picklable.

    Parameters
    ----------
    pattern : str, default=r"\\w+|[^\\w\\s]"
        Each match is one token. The default keeps words and single punctuation marks.

    Examples
    --------
    >>> RegexTokenizer()("It's great!")
    ['It', "'", 's', 'great', '!']
    """

    def __init__(self, pattern=DEFAULT_TOKEN_PATTERN):
        self.pattern = pattern

    def __call__(self, text):
        return re.findall(self.pattern, text)

    def __repr__(self):
        return f"RegexTokenizer({self.pattern!r})"


def make_tokenizer(tokenizer):
    """Return a callable tokenizer from ``None``, a regex pattern or a callable."""
    if tokenizer is None:
        return RegexTokenizer()
    if isinstance(tokenizer, str):
        try:
            re.compile(tokenizer)
        except re.error as exc:
            raise ValueError(
                f"tokenizer={tokenizer!r} is not a valid regular expression: {exc}"
            ) from None
        return RegexTokenizer(tokenizer)
    if callable(tokenizer):
        return tokenizer
    raise TypeError(
        "tokenizer must be None, a regular-expression string or a callable that "
        f"maps a string to a list of tokens; got {type(tokenizer).__name__}"
    )
