"""Scoring label sequences (the tagger's y) with scikit-learn's metrics.

scikit-learn's metrics and scorer names (``scoring="f1_macro"``) expect one label
per sample; a tagger's y holds a label sequence per sample. These wrap any metric
so that it scores every token:

>>> from sklearn.metrics import f1_score
>>> from sklstm.metrics import per_token
>>> per_token(f1_score)([["N", "V"], ["N"]], [["N", "N"], ["N"]], average="macro")
0.4
"""

from sklearn.metrics import accuracy_score, f1_score, make_scorer

from sklstm.targets import flatten_tags

__all__ = ["make_token_scorer", "per_token", "token_accuracy", "token_f1_macro"]


def per_token(metric):
    """``metric(y_true, y_pred, **kwargs)`` over label sequences: each sequence of
    ``y_true`` is checked to be as long as its prediction, and both are flattened
    into one label per token."""

    def token_metric(y_true, y_pred, **kwargs):
        lengths = [len(labels) for labels in y_pred]
        return metric(flatten_tags(y_true, lengths), flatten_tags(y_pred), **kwargs)

    token_metric.__name__ = f"token_{metric.__name__}"
    token_metric.__doc__ = f"{metric.__name__} over every token of label sequences."
    return token_metric


def make_token_scorer(metric, **kwargs):
    """A scorer for ``cross_val_score``/``GridSearchCV(scoring=...)`` that scores
    a tagger's predictions with ``metric`` over every token: scikit-learn's
    ``make_scorer(per_token(metric), **kwargs)``.

    Examples
    --------
    >>> from sklearn.metrics import f1_score
    >>> scorer = make_token_scorer(f1_score, average="macro")
    """
    return make_scorer(per_token(metric), **kwargs)


#: token accuracy, what :meth:`sklstm.LSTMTagger.score` reports
token_accuracy = make_token_scorer(accuracy_score)
#: the macro-averaged F1 over tags of every token (``scoring="f1_macro"``'s
#: meaning for a tagger)
token_f1_macro = make_token_scorer(f1_score, average="macro")
