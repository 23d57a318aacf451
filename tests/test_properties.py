"""Property-based tests: random ragged inputs either raise a documented error or give
outputs of the right type, length and shape, with valid probabilities."""

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from sklstm import LSTMClassifier, LSTMMultiLabel, LSTMRegressor, LSTMTagger  # noqa: E402

TINY = {
    "hidden_size": 4,
    "embedding_dim": 4,
    "max_epochs": 1,
    "batch_size": 8,
    "random_state": 0,
}
#: the errors sklstm documents for bad input
DOCUMENTED = (ValueError, TypeError)
SETTINGS = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

tokens = st.text(min_size=0, max_size=6)  # unicode, the empty string included
token_sequences = st.lists(
    st.lists(tokens, min_size=1, max_size=60), min_size=1, max_size=12
)
labels = st.sampled_from(["pos", "neg", "ünï", "😀"])


@SETTINGS
@given(X=token_sequences, data=st.data())
def test_classifier_on_random_text(X, data):
    """Random unicode token sequences: a documented error or valid probabilities."""
    y = data.draw(st.lists(labels, min_size=len(X), max_size=len(X)))
    try:
        clf = LSTMClassifier(**TINY).fit(X, y)
    except DOCUMENTED as error:
        assert "only one class" in str(error)
        return
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), len(set(y)))
    assert np.all((proba >= 0) & (proba <= 1))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(clf.predict(X)) <= set(y)


@SETTINGS
@given(X=token_sequences, data=st.data())
def test_multilabel_on_random_label_sets(X, data):
    """Random label sets: independent probabilities in [0, 1], label sets back."""
    y = data.draw(
        st.lists(st.sets(labels, max_size=3), min_size=len(X), max_size=len(X))
    )
    try:
        clf = LSTMMultiLabel(**TINY).fit(X, y)
    except DOCUMENTED as error:
        assert "no labels at all" in str(error)
        return
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), len(clf.classes_))
    assert np.all((proba >= 0) & (proba <= 1))
    predicted = clf.predict(X)
    assert len(predicted) == len(X)
    assert all(isinstance(p, set) and p <= set(clf.classes_) for p in predicted)


@SETTINGS
@given(X=token_sequences, data=st.data())
def test_tagger_on_random_sequences(X, data):
    """Random tags: one distribution per step, each summing to 1."""
    y = [data.draw(st.lists(labels, min_size=len(s), max_size=len(s))) for s in X]
    try:
        tagger = LSTMTagger(**TINY).fit(X, y)
    except DOCUMENTED as error:
        assert "only one class" in str(error)
        return
    proba = tagger.predict_proba(X)
    assert [p.shape[0] for p in proba] == [len(s) for s in X]
    for p in proba:
        np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert [len(t) for t in tagger.predict(X)] == [len(s) for s in X]


numbers = st.floats(-1e3, 1e3) | st.sampled_from([np.nan, np.inf, -np.inf])


@SETTINGS
@given(lengths=st.lists(st.integers(1, 60), min_size=1, max_size=12), data=st.data())
def test_regressor_on_random_series(lengths, data):
    """Random ragged series, NaN and inf included: a documented error or finite
    predictions of the right shape."""
    X = [
        np.array(data.draw(st.lists(numbers, min_size=n, max_size=n))) for n in lengths
    ]
    y = data.draw(st.lists(numbers, min_size=len(X), max_size=len(X)))
    try:
        reg = LSTMRegressor(**TINY).fit(X, y)
    except DOCUMENTED as error:
        assert "NaN" in str(error) or "infinity" in str(error)
        return
    prediction = reg.predict(X)
    assert prediction.shape == (len(X),) and np.isfinite(prediction).all()
