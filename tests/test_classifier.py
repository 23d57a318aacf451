"""LSTMClassifier: known-answer tasks, probabilities, labels, class weights."""

import numpy as np
import pytest
import torch
from conftest import FAST
from sklearn.utils.class_weight import compute_class_weight

from sklstm import LSTMClassifier


@pytest.mark.parametrize(
    "params",
    [
        {"pooling": "last"},
        {"pooling": "mean"},
        {"pooling": "max"},
        {"pooling": "attention"},
        {"bidirectional": True},
        {"cell": "gru"},
        {"bidirectional": True, "bidirectional_merge": "sum", "num_layers": 2},
    ],
)
def test_learns_marker_token(marker_data, params):
    """Label = whether a marker token appears anywhere: near-perfect held out."""
    X, y = marker_data
    clf = LSTMClassifier(**FAST, **params).fit(X[:160], y[:160])
    assert clf.score(X[160:], y[160:]) >= 0.95


@pytest.fixture(scope="module")
def fitted(marker_data):
    X, y = marker_data
    return LSTMClassifier(**FAST).fit(X, y)


class TestProbabilities:
    def test_rows_are_softmax_of_logits(self, fitted, marker_data):
        """predict_proba is the softmax of the network's logits, rows sum to 1."""
        X = marker_data[0][:20]
        proba = fitted.predict_proba(X)
        logits = fitted.net_.forward(fitted._prepare(X)).double().numpy()
        expected = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
        np.testing.assert_allclose(proba, expected, atol=1e-12)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0)

    def test_predict_returns_labels_of_argmax(self, fitted, marker_data):
        """predict gives labels from classes_, never indices."""
        X = marker_data[0][:20]
        expected = fitted.classes_[fitted.predict_proba(X).argmax(1)]
        assert fitted.predict(X).tolist() == expected.tolist()
        assert set(fitted.classes_) == {"marker", "plain"}


@pytest.mark.parametrize("labels", [[3, 7, 9], [True, False], ["b", "a", "c"]])
def test_any_label_type(labels):
    """Integer, boolean and string labels come back as themselves."""
    X = [["x", str(i % len(labels))] for i in range(30)]
    y = [labels[i % len(labels)] for i in range(30)]
    clf = LSTMClassifier(**FAST).fit(X, y)
    assert clf.classes_.tolist() == sorted(set(labels))
    assert clf.predict(X[: len(labels)]).tolist() == y[: len(labels)]
    assert clf.predict_proba(X).shape == (30, len(labels))


def test_balanced_class_weight_reaches_the_loss(marker_data):
    """class_weight='balanced' gives the loss scikit-learn's balanced weights."""
    X, y = marker_data
    X, y = X[:90], np.r_[y[:60], ["plain"] * 30]
    clf = LSTMClassifier(**{**FAST, "max_epochs": 1}, class_weight="balanced").fit(X, y)
    expected = compute_class_weight("balanced", classes=clf.classes_, y=y)
    torch.testing.assert_close(
        clf.net_.criterion_.weight, torch.tensor(expected, dtype=torch.float32)
    )


def test_class_weight_dict(marker_data):
    """A dict maps labels to weights, in classes_ order."""
    X, y = marker_data
    clf = LSTMClassifier(
        **{**FAST, "max_epochs": 1}, class_weight={"plain": 3.0, "marker": 1.0}
    ).fit(X, y)
    assert clf.net_.criterion_.weight.tolist() == [1.0, 3.0]


def test_regression_target_rejected():
    """Continuous y gets scikit-learn's 'Unknown label type' message."""
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        LSTMClassifier(**FAST).fit([["a"], ["b"]], [0.5, 1.7])


def test_class_weight_keys_must_be_labels(marker_data):
    """A class_weight key that is no label of y is an error, as in scikit-learn."""
    with pytest.raises(ValueError, match=r"keys that are not labels of y: \['plian'\]"):
        LSTMClassifier(class_weight={"plian": 2.0}).fit(*marker_data)


def test_predict_log_proba_from_logits(marker_data):
    """predict_log_proba is log_softmax of the logits: log(predict_proba) where
    that is finite, and still finite where a probability rounds to 0."""
    X, y = marker_data
    clf = LSTMClassifier(**{**FAST, "max_epochs": 2}).fit(X, y)
    np.testing.assert_allclose(
        clf.predict_log_proba(X), np.log(clf.predict_proba(X)), rtol=1e-10
    )
    with torch.no_grad():
        clf.net_.module_.head.weight.mul_(1e5)  # logits far apart
    log_proba = clf.predict_log_proba(X)
    assert (clf.predict_proba(X) == 0).any()
    assert np.isfinite(log_proba).all()
    logits = clf.net_.forward(clf._prepare(X)).double()
    np.testing.assert_allclose(
        log_proba, (logits - logits.logsumexp(dim=1, keepdim=True)).numpy()
    )


def test_shapes_at_every_amplitude():
    """Rising and falling series whose amplitudes span six orders of magnitude:
    scaled per series ("auto" chooses it here), the small ones keep their shape,
    which one scale for all flattens."""
    rng = np.random.RandomState(0)

    def series(n):
        label = rng.randint(2, size=n)
        ramp = np.linspace(-1, 1, 24)
        X = [
            (ramp if up else -ramp) * 10.0 ** rng.uniform(-4, 2)
            + rng.normal(scale=1e-6, size=24)
            for up in label
        ]
        return X, label

    (X, y), (X_test, y_test) = series(200), series(200)
    settings = {**FAST, "max_epochs": 30, "conv_filters": None}
    auto = LSTMClassifier(**settings).fit(X, y)
    assert auto.standardize_ == "per_series"
    one_scale = LSTMClassifier(**settings, standardize=True).fit(X, y)
    assert auto.score(X_test, y_test) >= 0.95
    assert auto.score(X_test, y_test) > one_scale.score(X_test, y_test) + 0.1
