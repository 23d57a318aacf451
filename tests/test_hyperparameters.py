"""Hyperparameters declared once: signature, checks and docs all follow it."""

import inspect
import pathlib

import pytest
from conftest import ESTIMATORS
from sklearn.base import clone

from sklstm import (
    LSTMClassifier,
    LSTMMultiLabel,
    LSTMRegressor,
    LSTMSeq2Seq,
)
from sklstm.hyperparameters import hyperparameter, one_of

GUIDE = (
    pathlib.Path(__file__).parents[1] / "docs" / "user_guide" / "defaults.md"
).read_text()


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_signature_and_docs_follow_the_declarations(Estimator):
    """__init__'s signature and the docstring list each declared hyperparameter
    with its declared default; help() shows them all."""
    declared = Estimator._hyperparameters
    parameters = inspect.signature(Estimator.__init__).parameters
    assert list(parameters)[1:] == list(declared)
    for name, hyper in declared.items():
        assert parameters[name].kind == parameters[name].KEYWORD_ONLY
        assert parameters[name].default is hyper.default
        assert f"    {name} : {hyper.type}, default=" in Estimator.__doc__
    assert Estimator().get_params() == {n: h.default for n, h in declared.items()}
    assert "{parameters}" not in Estimator.__doc__


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_guide_names_every_hyperparameter(Estimator):
    """The user guide's parameter table names every hyperparameter."""
    missing = [name for name in Estimator._hyperparameters if f"`{name}`" not in GUIDE]
    assert missing == []


CASES = [
    (Estimator, name) for Estimator in ESTIMATORS for name in Estimator._hyperparameters
]


@pytest.mark.parametrize(
    "Estimator, name", CASES, ids=[f"{E.__name__}-{n}" for E, n in CASES]
)
def test_every_hyperparameter_is_checked(Estimator, name):
    """No hyperparameter goes unchecked: an arbitrary object is refused in fit,
    naming the hyperparameter, before any training."""
    estimator = Estimator(**{name: object()})
    with pytest.raises((TypeError, ValueError), match=name):
        estimator.fit([["a"], ["b"]], [["x"], ["y"]])


@pytest.mark.parametrize(
    "Estimator, params, error, message",
    [
        (
            LSTMClassifier,
            {"hidden_size": "wide"},
            TypeError,
            "hidden_size must be an instance of int, not str. 'auto' is also accepted.",
        ),
        (
            LSTMClassifier,
            {"char_embedding_dim": "big"},
            TypeError,
            "char_embedding_dim must be an instance of int, not str. 'auto' is also "
            "accepted.",
        ),
        (
            LSTMMultiLabel,
            {"threshold": "best"},
            ValueError,
            "threshold='best' is not supported; expected a number in [0, 1] or an "
            "array of shape (n_labels,), one per label. 'auto' is also accepted.",
        ),
        (
            LSTMClassifier,
            {"standardize": "per_step"},
            ValueError,
            "standardize='per_step' is not supported; expected True, False or "
            "'per_series'. 'auto' is also accepted.",
        ),
        (
            LSTMClassifier,
            {"batch_size": 0},
            ValueError,
            "batch_size == 0, must be >= 1. 'auto' is also accepted.",
        ),
        (
            LSTMRegressor,
            {"weight_decay": -1.0},
            ValueError,
            "weight_decay == -1.0, must be >= 0. 'auto' is also accepted.",
        ),
        (
            LSTMSeq2Seq,
            {"attention": "luong"},
            ValueError,
            "attention='luong' is not supported; expected one of ['dot', "
            "'general']. None is also accepted.",
        ),
    ],
)
def test_refusal_names_the_special_value(Estimator, params, error, message):
    """A value refused where "auto" (or None) is also allowed says so."""
    with pytest.raises(error) as refused:
        Estimator(**params).fit([["a"], ["b"]], [["x"], ["y"]])
    assert str(refused.value) == message


def test_a_subclass_declares_more():
    """A subclass declaring its own hyperparameter keeps all of its parent's."""

    class Tuned(LSTMClassifier):
        note: str = hyperparameter(
            default="x", type='{"x", "y"}', doc="A note.", check=one_of("x", "y")
        )

    estimator = Tuned(note="y", pooling="max")
    assert estimator.get_params()["note"] == "y"
    assert clone(estimator).pooling == "max"
    assert list(inspect.signature(Tuned).parameters)[:2] == ["note", "pooling"]
    with pytest.raises(ValueError, match="note='z' is not supported"):
        Tuned(note="z").fit([["a"], ["b"]], [0, 1])
