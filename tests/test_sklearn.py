"""Working inside scikit-learn: search, pipelines, cloning, persistence."""

import pickle

import joblib
import numpy as np
import pytest
from conftest import FAST
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sklstm import LSTMClassifier, LSTMRegressor

QUICK = {**FAST, "max_epochs": 5}


def test_grid_search_plain_parameter_names(marker_data):
    """GridSearchCV sees hidden_size and bidirectional without prefixes."""
    X, y = marker_data
    search = GridSearchCV(
        LSTMClassifier(**QUICK),
        {"hidden_size": [4, 8], "bidirectional": [True, False]},
        cv=2,
    ).fit(X, y)
    assert set(search.best_params_) == {"hidden_size", "bidirectional"}
    assert len(search.cv_results_["params"]) == 4
    assert search.best_estimator_.net_.module_.recurrent.hidden_size in (4, 8)


def test_cross_val_score_regressor(sum_data):
    """cross_val_score runs the regressor's R^2 on each fold."""
    X, y = sum_data
    assert cross_val_score(LSTMRegressor(**QUICK), X, y, cv=3).shape == (3,)


def test_pipeline_with_text_step(marker_data):
    """A text-cleaning step feeds raw strings into the classifier."""
    X, y = marker_data
    text = [" ".join(seq).upper() for seq in X]
    pipe = make_pipeline(
        FunctionTransformer(lambda docs: [d.lower() for d in docs]),
        LSTMClassifier(**FAST),
    ).fit(text, y)
    assert pipe.score(text, y) >= 0.95
    assert "zz" in pipe[-1].vocabulary_


def test_clone_is_unfitted_with_same_params():
    """clone copies hyperparameters, including subclass-specific ones."""
    clf = LSTMClassifier(hidden_size=7, class_weight="balanced", pooling="max")
    copy = clone(clf)
    assert copy.get_params() == clf.get_params()
    assert not hasattr(copy, "net_")


def test_set_params_then_refit(marker_data):
    """set_params on a fitted estimator takes effect at the next fit."""
    X, y = marker_data
    clf = LSTMClassifier(**QUICK).fit(X, y)
    clf.set_params(hidden_size=3).fit(X, y)
    assert clf.net_.module_.recurrent.hidden_size == 3


@pytest.mark.parametrize(
    "dump, load",
    [
        (pickle.dumps, pickle.loads),
        (
            lambda est: joblib.dump(est, "model.joblib"),
            lambda _: joblib.load("model.joblib"),
        ),
    ],
)
def test_persistence_round_trip(
    marker_data, sum_data, tmp_path, monkeypatch, dump, load
):
    """pickle and joblib round trips give identical predictions (vocab, scalers)."""
    monkeypatch.chdir(tmp_path)
    X, y = marker_data
    text = [" ".join(seq) for seq in X]
    clf = LSTMClassifier(**QUICK).fit(text, y)
    restored = load(dump(clf))
    np.testing.assert_array_equal(restored.predict_proba(text), clf.predict_proba(text))
    series, target = sum_data
    reg = LSTMRegressor(**QUICK).fit(series, target)
    np.testing.assert_array_equal(load(dump(reg)).predict(series), reg.predict(series))
