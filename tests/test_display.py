"""TrainingCurveDisplay draws what the estimator's history says."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from sklstm import LSTMClassifier, TrainingCurveDisplay

pytest.importorskip("matplotlib")


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.RandomState(0)
    X = [rng.randn(rng.randint(3, 12), 2) for _ in range(300)]
    y = [int((x[:, 0] * x[:, 1]).sum() > 0) for x in X]
    return LSTMClassifier(
        hidden_size=8,
        max_epochs=25,
        early_stopping=True,
        lr_schedule="adaptive",
        n_iter_no_change=4,
        tol=0.0,
        random_state=0,
    ).fit(X, y)


def test_the_curves_are_the_history(fitted):
    import matplotlib.pyplot as plt

    display = TrainingCurveDisplay.from_estimator(fitted)
    history = fitted.history_
    lines = {line.get_label(): line for line in display.ax_.get_lines()}
    np.testing.assert_allclose(
        lines["training loss"].get_ydata(), [row["train_loss"] for row in history]
    )
    np.testing.assert_allclose(
        lines["validation loss"].get_ydata(), [row["valid_loss"] for row in history]
    )
    (score,) = display.score_ax_.get_lines()
    scores = [row["valid_score"] for row in history]
    np.testing.assert_allclose(score.get_ydata(), scores)
    # with tol=0 early stopping keeps the first epoch of the best score
    assert display.best_epoch == int(np.argmax(scores)) + 1
    kept = lines[f"weights kept (epoch {display.best_epoch})"]
    assert kept.get_xdata()[0] == display.best_epoch
    rates = [row["event_lr"] for row in history]
    changes = [e + 1 for e in range(1, len(rates)) if rates[e] != rates[e - 1]]
    assert changes and display.lr_changes() == changes  # the rate was halved
    assert display.ax_.get_title() == "LSTMClassifier"
    plt.close("all")


def test_plot_draws_on_the_given_axes(fitted):
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2)
    display = TrainingCurveDisplay.from_estimator(fitted, ax=right, name="run 1")
    assert display.ax_ is right and display.figure_ is figure
    assert right.get_title() == "run 1" and not left.get_lines()
    plt.close("all")


def test_an_unfitted_estimator_is_refused():
    with pytest.raises(NotFittedError):
        TrainingCurveDisplay.from_estimator(LSTMClassifier())
