"""LSTMMultiLabel: independent label probabilities, label forms, weights, score."""

import numpy as np
import pytest
import torch
from conftest import FAST
from scipy import sparse
from sklearn.metrics import f1_score, hamming_loss

from sklstm import LSTMMultiLabel
from sklstm.multilabel import micro_f1

MARKERS = ["m0", "m1", "m2"]


@pytest.fixture(scope="module")
def marker_sets():
    """Labels = which of three marker tokens appear in the sequence."""
    rng = np.random.RandomState(4)
    X, y = [], []
    for _ in range(300):
        seq = list(rng.choice([f"w{i}" for i in range(15)], size=rng.randint(3, 12)))
        present = {m for m in MARKERS if rng.rand() < 0.4}
        for m in present:
            seq.insert(rng.randint(len(seq) + 1), m)
        X.append(seq)
        y.append(present)
    return X, y


@pytest.fixture(scope="module")
def fitted(marker_sets):
    X, y = marker_sets
    return LSTMMultiLabel(**FAST, bidirectional=True).fit(X[:220], y[:220])


def test_learns_which_markers_appear(fitted, marker_sets):
    """A known-answer task is learned to a near-perfect held-out score."""
    X, y = marker_sets
    assert fitted.score(X[220:], y[220:]) >= 0.95
    assert fitted.classes_.tolist() == MARKERS


def test_probabilities_are_independent_sigmoids(fitted, marker_sets):
    """predict_proba is the sigmoid of each logit; rows need not sum to 1."""
    X = marker_sets[0][:30]
    logits = fitted.net_.forward(fitted._prepare(X)).double().numpy()
    proba = fitted.predict_proba(X)
    np.testing.assert_allclose(proba, 1 / (1 + np.exp(-logits)), atol=1e-12)
    assert proba.shape == (30, 3)
    assert not np.allclose(proba.sum(axis=1), 1.0)


def test_predict_matches_threshold(fitted, marker_sets):
    """predict returns label sets of the labels at or above threshold."""
    X = marker_sets[0][:30]
    proba = fitted.predict_proba(X)
    expected = [
        {label for label, p in zip(MARKERS, row, strict=True) if p >= 0.5}
        for row in proba
    ]
    assert fitted.predict(X) == expected
    fitted.set_params(threshold=1.0)
    assert all(labels == set() for labels in fitted.predict(X))
    fitted.set_params(threshold=0.5)


def test_micro_f1_is_scikit_learns():
    """The F1 that threshold="auto" maximises is scikit-learn's micro-F1."""
    rng = np.random.RandomState(0)
    true, predicted = rng.rand(2, 40, 5) < 0.3
    assert micro_f1(true, predicted) == pytest.approx(
        f1_score(true, predicted, average="micro")
    )
    assert micro_f1(np.zeros((2, 2), bool), np.zeros((2, 2), bool)) == 0.0


def test_auto_threshold_from_the_validation_part(marker_sets):
    """threshold="auto" is 0.5 without a held-out part; with one, it is the grid
    value whose micro-F1 on that part is highest, and predict uses it."""
    X, y = marker_sets
    assert LSTMMultiLabel(**FAST).fit(X[:220], y[:220]).threshold_ == 0.5
    # an undertrained model: its probabilities sit near the labels' frequency
    model = LSTMMultiLabel(
        **{**FAST, "max_epochs": 1, "lr": 1e-3},
        early_stopping=True,
        validation_fraction=0.5,
    ).fit(X, y)
    assert model.threshold_ in np.round(np.arange(0.05, 0.96, 0.05), 2)
    auto = model.predict(X)
    assert model.set_params(threshold=model.threshold_).predict(X) == auto
    # at 0.5 it predicts (nearly) nothing; the chosen threshold predicts labels
    true = model.head_.transform(y).astype(bool)
    at_half = micro_f1(true, model.predict_proba(X) >= 0.5)
    assert model.threshold_ < 0.5
    assert micro_f1(true, model.head_.transform(auto).astype(bool)) > (at_half + 0.1)


def test_score_is_sample_f1(fitted, marker_sets):
    """score is scikit-learn's sample-averaged F1 on indicator matrices."""
    X, y = marker_sets[0][220:], marker_sets[1][220:]
    indicator = np.array([[m in labels for m in MARKERS] for labels in y])
    predicted = np.array(
        [[m in labels for m in MARKERS] for labels in fitted.predict(X)]
    )
    assert fitted.score(X, y) == pytest.approx(
        f1_score(indicator, predicted, average="samples", zero_division=1.0)
    )


@pytest.mark.parametrize("form", ["indicator", "sparse", "lists"])
def test_predict_in_the_form_of_fit(marker_sets, form):
    """Indicator, sparse and list-of-lists y come back in their own form."""
    X, sets = marker_sets
    indicator = np.array([[m in labels for m in MARKERS] for labels in sets], int)
    y = {
        "indicator": indicator,
        "sparse": sparse.csr_matrix(indicator),
        "lists": [sorted(s) for s in sets],
    }[form]
    clf = LSTMMultiLabel(**FAST).fit(X, y)
    predicted = clf.predict(X[:10])
    if form == "lists":
        assert all(isinstance(labels, list) for labels in predicted)
        return
    assert sparse.issparse(predicted) == (form == "sparse")
    dense = predicted.toarray() if form == "sparse" else predicted
    assert dense.shape == (10, 3) and clf.classes_.tolist() == [0, 1, 2]
    assert hamming_loss(indicator[:10], dense) < 0.1  # sklearn metrics accept it


def test_balanced_pos_weight(marker_sets):
    """class_weight='balanced' sets pos_weight = negatives / positives per label."""
    X, y = marker_sets
    clf = LSTMMultiLabel(**{**FAST, "max_epochs": 1}, class_weight="balanced")
    clf.fit(X, y)
    positives = np.array([sum(m in labels for labels in y) for m in MARKERS])
    torch.testing.assert_close(
        clf.net_.criterion_.pos_weight,
        torch.tensor((len(y) - positives) / positives, dtype=torch.float32),
    )


class TestErrors:
    def test_single_label_y(self):
        """A 1-D label vector points to LSTMClassifier."""
        with pytest.raises(
            ValueError, match="one class per sample is a job for LSTMClassifier"
        ):
            LSTMMultiLabel().fit([["a"], ["b"]], ["x", "y"])

    def test_non_binary_indicator(self):
        """An indicator matrix must hold 0/1."""
        with pytest.raises(ValueError, match="indicator matrix of 0/1 entries"):
            LSTMMultiLabel().fit([["a"], ["b"]], np.array([[0, 2], [1, 0]]))

    def test_balanced_ill_defined(self):
        """'balanced' rejects a label column that is all zeros or all ones."""
        with pytest.raises(ValueError, match=r"always or never present in y: \[1\]"):
            LSTMMultiLabel(class_weight="balanced").fit(
                [["a"], ["b"]], np.array([[0, 1], [1, 1]])
            )

    def test_unknown_label_at_score(self, fitted):
        """Labels unseen in fit cannot be scored."""
        with pytest.raises(ValueError, match=r"labels not seen in fit: \['zz'\]"):
            fitted.score([["m0"]], [{"zz"}])


@pytest.mark.parametrize("as_indicator", [False, True])
def test_grid_search(marker_sets, as_indicator):
    """GridSearchCV works with label sets and with an indicator matrix."""
    from sklearn.model_selection import GridSearchCV

    X, y = marker_sets
    if as_indicator:
        y = np.array([[m in labels for m in MARKERS] for labels in y], int)
    search = GridSearchCV(
        LSTMMultiLabel(**{**FAST, "max_epochs": 3}), {"pooling": ["max", "last"]}, cv=2
    ).fit(X, y)
    assert search.best_params_["pooling"] in ("max", "last")


def test_threshold_per_label(fitted, marker_sets):
    """An array threshold applies one threshold per label."""
    X = marker_sets[0][:40]
    proba = fitted.predict_proba(X)
    fitted.set_params(threshold=np.array([0.5, 1.0, 0.0]))
    try:
        predicted = fitted.predict(X)
    finally:
        fitted.set_params(threshold=0.5)
    assert all("m2" in labels for labels in predicted)
    for label, (column, threshold) in {"m0": (0, 0.5), "m1": (1, 1.0)}.items():
        expected = proba[:, column] >= threshold
        assert [(label in labels) for labels in predicted] == expected.tolist()


@pytest.mark.parametrize(
    "threshold, match",
    [
        (2.0, "must be a probability in"),
        (np.full((2, 1), 0.5), "expected a number in"),
        (np.array([0.5, 0.5]), r"threshold has shape \(2,\); expected one value or "),
        (float("nan"), "must be a probability in"),
    ],
)
def test_bad_threshold(fitted, marker_sets, threshold, match):
    """A threshold outside [0, 1] or of the wrong shape is a clear error."""
    fitted.set_params(threshold=threshold)
    try:
        with pytest.raises(ValueError, match=match):
            fitted.predict(marker_sets[0][:5])
    finally:
        fitted.set_params(threshold=0.5)


def test_bad_threshold_caught_in_fit(marker_sets):
    """A threshold that can never be right is refused before training."""
    with pytest.raises(ValueError, match="must be a probability in"):
        LSTMMultiLabel(threshold=2.0).fit(*marker_sets)


def test_class_weight_keys_must_be_labels(marker_sets):
    """A class_weight key that is no label is an error, as in scikit-learn."""
    with pytest.raises(ValueError, match="keys that are not labels of y: "):
        LSTMMultiLabel(class_weight={"nope": 2.0}).fit(*marker_sets)


class TestRoundTwo:
    def test_auto_threshold_without_positives_held_out_is_half(self):
        """When the held-out part has no true label, no threshold ranks higher:
        threshold_ is 0.5, not the first candidate (0.05, every label)."""
        rng = np.random.RandomState(0)
        X = [list(rng.choice(["a", "b"], size=3)) for _ in range(60)]
        clf = LSTMMultiLabel(**{**FAST, "max_epochs": 2}, early_stopping=True)
        clf.fit(X, np.zeros((60, 2), dtype=int))
        assert clf.threshold_ == 0.5

    def test_partial_fit_after_fit_keeps_the_threshold(self, marker_sets):
        """partial_fit after fit keeps the threshold fit learned."""
        X, y = marker_sets
        clf = LSTMMultiLabel(**{**FAST, "max_epochs": 2}, early_stopping=True)
        clf.fit(X, y)
        clf.threshold_ = 0.35  # as fit may learn; 0.5 is the fallback
        clf.partial_fit(X[:50], y[:50])
        assert clf.threshold_ == 0.35

    def test_one_label_from_a_thousand_sequences(self):
        """One label column with the default held-out part (>= 1,000 sequences):
        early stopping scores it as score() does, where sample-wise F1 of
        scikit-learn refuses a single column."""
        rng = np.random.RandomState(0)
        X = [list(rng.choice(["a", "b", "z"], size=3)) for _ in range(1000)]
        y = np.array([[int("z" in x)] for x in X])
        clf = LSTMMultiLabel(**{**FAST, "max_epochs": 2}).fit(X, y)
        assert "valid_score" in clf.history_[-1]
        assert clf.predict(X[:3]).shape == (3, 1)

    def test_usable_after_divergence(self, marker_sets):
        """After a FloatingPointError the estimator predicts with the weights it
        kept, as the message says."""
        X, y = marker_sets
        clf = LSTMMultiLabel(**{**FAST, "max_epochs": 3, "lr": 1e8}, optimizer="sgd")
        with pytest.raises(FloatingPointError):
            clf.fit(X, y)
        assert len(clf.predict(X[:3])) == 3

    def test_threshold_checked_at_predict(self, marker_sets):
        """A threshold set after fit is checked by predict too."""
        X, y = marker_sets
        clf = LSTMMultiLabel(**{**FAST, "max_epochs": 1}).fit(X, y)
        with pytest.raises(ValueError, match="probability in"):
            clf.set_params(threshold=2.0).predict(X[:2])
