"""LSTMRegressor: known-answer tasks, unsquashed outputs, several targets."""

import numpy as np
import pytest
from conftest import FAST

from sklstm import LSTMRegressor


@pytest.mark.parametrize("params", [{}, {"bidirectional": True}, {"cell": "gru"}])
def test_learns_sum_of_sequence(sum_data, params):
    """Target = sum of a ragged numeric sequence: R^2 near 1 held out."""
    X, y = sum_data
    reg = LSTMRegressor(**FAST, **params).fit(X[:200], y[:200])
    assert reg.score(X[200:], y[200:]) >= 0.95


def test_output_is_not_squashed(sum_data):
    """Targets far outside [-1, 1], negative ones too, are reproduced."""
    X, y = sum_data
    y = 1000.0 * y - 5000.0
    reg = LSTMRegressor(**FAST).fit(X, y)
    prediction = reg.predict(X)
    assert prediction.min() < -7000 and prediction.max() > -3000
    assert np.abs(prediction - y).mean() < 0.1 * np.abs(y - y.mean()).mean()


def test_several_targets(sum_data):
    """2-D y: one column per target, predicted in the same shape."""
    X, y = sum_data
    Y = np.c_[y, [len(x) for x in X]]
    reg = LSTMRegressor(**FAST).fit(X, Y)
    assert reg.predict(X[:5]).shape == (5, 2)
    assert reg.score(X, Y) > 0.9


def test_target_errors(sum_data):
    """Non-numeric or non-finite targets are rejected with a clear message."""
    X, y = sum_data
    with pytest.raises(ValueError, match="y must hold numbers"):
        LSTMRegressor(**FAST).fit(X[:2], ["a", "b"])
    with pytest.raises(ValueError, match="Input y contains NaN"):
        LSTMRegressor(**FAST).fit(X[:2], [1.0, np.nan])


def test_defaults_no_worse_than_the_mean_on_unrelated_targets():
    """Targets unrelated to X, 74 training series (as small as the series
    regression sets): the defaults end near the training mean's error, where
    training without weight decay ends about 1.4 times it by fitting the noise."""
    rng = np.random.RandomState(0)

    def data(n):
        return [np.cumsum(rng.normal(size=100)) for _ in range(n)], rng.normal(size=n)

    (X, y), (X_test, y_test) = data(74), data(300)
    reg = LSTMRegressor(random_state=0).fit(X, y)
    rmse = np.sqrt(np.mean((reg.predict(X_test) - y_test) ** 2))
    mean_rmse = np.sqrt(np.mean((y.mean() - y_test) ** 2))
    assert rmse < 1.1 * mean_rmse
