"""A battery of bad and awkward inputs: each is rejected with a clear message, or
works as documented."""

import copy

import numpy as np
import pytest
from conftest import FAST
from scipy import sparse
from sklearn.exceptions import NotFittedError

from sklstm import LSTMClassifier, LSTMMultiLabel, LSTMRegressor, LSTMTagger

QUICK = {**FAST, "max_epochs": 2}
WORDS = [["a", "b"], ["c"], ["a", "c", "d"], ["b"]] * 5
LABELS = ["x", "y"] * 10


@pytest.fixture(scope="module")
def classifier():
    return LSTMClassifier(**QUICK).fit(WORDS, LABELS)


@pytest.fixture(scope="module")
def regressor():
    rng = np.random.RandomState(0)
    X = [rng.normal(size=(n, 2)) for n in rng.randint(1, 6, size=20)]
    return LSTMRegressor(**QUICK).fit(X, rng.normal(size=20))


# (estimator, X, y, error type, message) for fit
FIT_ERRORS = {
    "empty X": (LSTMClassifier, [], [], ValueError, "X is empty"),
    "empty table": (
        LSTMRegressor,
        np.empty((0, 3)),
        [],
        ValueError,
        r"Found array with 0 sample\(s\)",
    ),
    "empty sequence": (
        LSTMClassifier,
        [["a"], []],
        ["x", "y"],
        ValueError,
        r"X\[1\] is an empty sequence",
    ),
    "length mismatch": (
        LSTMClassifier,
        WORDS,
        LABELS[:-1],
        ValueError,
        "X has 20 sequences but y has 19 targets",
    ),
    "tagger y length": (
        LSTMTagger,
        [["a", "b"]],
        [["A"]],
        ValueError,
        r"y\[0\] has 1 labels but X\[0\] has 2 steps",
    ),
    "NaN in a sequence": (
        LSTMRegressor,
        [[0.5, 1.0], [np.nan]],
        [1.0, 2.0],
        ValueError,
        r"X\[1\] contains NaN or infinity",
    ),
    "inf in a table": (
        LSTMRegressor,
        np.array([[0.5, np.inf], [1.0, 2.0]]),
        [1.0, 2.0],
        ValueError,
        "Input X contains infinity",
    ),
    "NaN target": (
        LSTMRegressor,
        [[0.5], [1.0, 2.0]],
        [1.0, np.nan],
        ValueError,
        "Input y contains NaN",
    ),
    "inf target": (
        LSTMRegressor,
        [[0.5], [1.0, 2.0]],
        [1.0, np.inf],
        ValueError,
        "Input y contains infinity",
    ),
    "mixed token types": (
        LSTMClassifier,
        [["a", "b"], [1, 2]],
        ["x", "y"],
        ValueError,
        "mixes string tokens and integer tokens",
    ),
    "mixed in one sequence": (
        LSTMClassifier,
        [["a", 1]],
        ["x"],
        ValueError,
        r"X\[0\] is not a valid sequence: it mixes int, str",
    ),
    "None token": (
        LSTMClassifier,
        [["a", None]],
        ["x"],
        ValueError,
        "contains None; tokens must be strings or integers",
    ),
    "one class": (
        LSTMClassifier,
        WORDS,
        ["x"] * 20,
        ValueError,
        r"y has only one class \(\['x'\]\)",
    ),
    "regression target to classifier": (
        LSTMClassifier,
        WORDS,
        np.linspace(0, 1, 20),
        ValueError,
        "Unknown label type: continuous",
    ),
    "sparse X": (
        LSTMRegressor,
        sparse.csr_matrix(np.ones((4, 3))),
        np.ones(4),
        TypeError,
        "Sparse data was passed for X, but dense data is required",
    ),
    "different feature counts": (
        LSTMRegressor,
        [np.ones((2, 3)), np.ones((2, 4))],
        [1.0, 2.0],
        ValueError,
        "different feature counts",
    ),
    "nested too deep": (
        LSTMRegressor,
        [np.ones((2, 2, 2))],
        [1.0],
        ValueError,
        "nesting is too deep",
    ),
    "1-D array": (
        LSTMRegressor,
        np.ones(5),
        np.ones(5),
        ValueError,
        "Reshape your data",
    ),
    "None": (LSTMClassifier, None, [1], TypeError, "X is None"),
    "y None": (
        LSTMClassifier,
        WORDS,
        None,
        ValueError,
        "requires y to be passed, but the target y is None",
    ),
    "string X": (LSTMClassifier, "one text", ["x"], TypeError, "single string"),
    "bad dict": (
        LSTMClassifier,
        {"text": ["a b"]},
        ["x"],
        ValueError,
        "exactly the keys 'features' and 'tokens'",
    ),
    "dict lengths": (
        LSTMClassifier,
        {"tokens": [["a", "b"]], "features": [np.ones((3, 1))]},
        ["x"],
        ValueError,
        r"has 2 tokens but X\['features'\]\[0\] has 3 steps",
    ),
    "complex numbers": (
        LSTMRegressor,
        np.ones((3, 2), dtype=complex),
        np.ones(3),
        ValueError,
        "Complex data not supported",
    ),
    "multilabel of one class per sample": (
        LSTMMultiLabel,
        WORDS,
        LABELS,
        ValueError,
        "one class per sample is a job for LSTMClassifier",
    ),
}


@pytest.mark.parametrize("case", FIT_ERRORS)
def test_fit_rejects(case):
    """fit rejects each bad input with its error type and a message naming it."""
    Estimator, X, y, error, match = FIT_ERRORS[case]
    with pytest.raises(error, match=match):
        Estimator(**QUICK).fit(X, y)


class TestPredictTime:
    def test_feature_count_differs(self, regressor):
        """A different feature count at predict says both counts."""
        with pytest.raises(
            ValueError,
            match="X has 3 features per step, but the estimator is expecting 2",
        ):
            regressor.predict([np.ones((2, 3))])

    def test_other_kind_than_fit(self, classifier):
        """Numbers for a model fitted on tokens is an error, not garbage."""
        with pytest.raises(ValueError, match="fitted on tokens sequences"):
            classifier.predict([[0.5, 1.5]])

    def test_unknown_tokens_and_unicode(self, classifier):
        """Unseen and unicode tokens map to the unknown token and predict."""
        X = [["никогда", "未见过"], ["😀", "a"], ["", "b"]]
        assert classifier.predict(X).shape == (3,)

    def test_unseen_labels_in_score(self, classifier):
        """score with labels never seen in fit counts them as wrong, as accuracy."""
        assert classifier.score(WORDS[:4], ["z", "z", "z", "z"]) == 0.0

    def test_long_sequence_in_bounded_memory(self, regressor):
        """A 100,000-step sequence predicts; memory is a few MB, not gigabytes."""
        import resource

        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        prediction = regressor.predict(
            [np.random.RandomState(0).normal(size=(100_000, 2))]
        )
        grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
        assert prediction.shape == (1,) and np.isfinite(prediction).all()
        assert grown_mb < 200

    def test_interrupted_fit_is_not_fitted(self, classifier):
        """A fit that fails before training leaves the estimator unfitted, not mixed."""
        clf = copy.deepcopy(classifier)
        with pytest.raises(ValueError):
            clf.fit([["a"], []], ["x", "y"])
        with pytest.raises(NotFittedError):
            clf.predict(WORDS)


class TestAccepted:
    def test_single_sequence(self):
        """A single sequence trains a regressor and predicts."""
        reg = LSTMRegressor(**QUICK).fit([np.array([[0.1], [0.2], [0.3]])], [1.0])
        assert reg.predict([np.array([[0.5]])]).shape == (1,)

    def test_empty_string_tokens(self):
        """Empty-string tokens are ordinary tokens (only None is refused)."""
        clf = LSTMClassifier(**QUICK).fit([["", "a"], ["b", ""]] * 5, ["x", "y"] * 5)
        assert "" in clf.vocabulary_

    def test_object_and_bool_arrays(self):
        """Object arrays of numbers and boolean arrays are numeric tables."""
        X = np.random.RandomState(0).rand(12, 4)
        reg = LSTMRegressor(**QUICK).fit(X.astype(object), X.sum(axis=1))
        assert reg.predict(X > 0.5).shape == (12,)

    def test_dataframe(self):
        """A DataFrame is a table of time steps."""
        pd = pytest.importorskip("pandas")
        frame = pd.DataFrame(np.random.RandomState(0).rand(12, 3))
        reg = LSTMRegressor(**QUICK).fit(frame, np.arange(12.0))
        assert reg.predict(frame).shape == (12,)

    def test_read_only_inputs_are_not_modified(self):
        """fit works on read-only arrays and leaves lists and arrays unchanged."""
        X = np.random.RandomState(0).rand(10, 5, 2)
        y = np.arange(10.0)
        X.flags.writeable = y.flags.writeable = False
        X_copy, y_copy = X.copy(), y.copy()
        LSTMRegressor(**QUICK).fit(X, y)
        np.testing.assert_array_equal(X, X_copy)
        np.testing.assert_array_equal(y, y_copy)
        words, labels = copy.deepcopy(WORDS), list(LABELS)
        LSTMClassifier(**QUICK, lowercase=True).fit(words, labels)
        assert words == WORDS and labels == LABELS
