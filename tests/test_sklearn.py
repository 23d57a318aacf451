"""Working inside scikit-learn: search, pipelines, cloning, persistence."""

import os
import pickle
import subprocess
import sys

import joblib
import numpy as np
import pytest
import torch
from conftest import FAST
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sklstm import (
    LSTMClassifier,
    LSTMMultiLabel,
    LSTMRegressor,
    LSTMSeq2Seq,
    LSTMTagger,
)
from sklstm.exceptions import InconsistentVersionWarning
from sklstm.persistence import SKOPS_TRUSTED_TYPES

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


def test_subclass_keeps_its_parents_parameters(marker_data):
    """A user's subclass with its own __init__ keeps pooling and class_weight."""

    class MyClassifier(LSTMClassifier):
        def __init__(self, *, note="mine", **params):
            super().__init__(**params)
            self.note = note

    estimator = MyClassifier(pooling="max", class_weight="balanced", hidden_size=8)
    params = estimator.get_params()
    assert params["pooling"] == "max" and params["class_weight"] == "balanced"
    assert params["note"] == "mine" and params["hidden_size"] == 8
    copy = clone(estimator)
    assert copy.pooling == "max" and copy.class_weight == "balanced"


def test_text_column_through_a_column_transformer(marker_data):
    """A ColumnTransformer passing one text column feeds the estimator in a Pipeline."""
    pd = pytest.importorskip("pandas")
    from sklearn.compose import ColumnTransformer

    X, y = marker_data
    frame = pd.DataFrame({"text": [" ".join(x) for x in X], "other": 1.0})
    pipe = make_pipeline(
        ColumnTransformer([("text", "passthrough", ["text"])]),
        LSTMClassifier(**QUICK),
    ).fit(frame, y)
    assert pipe.score(frame, y) > 0.9


def test_table_and_its_list_predict_alike():
    """Predictions on a 2-D array and on its tolist() agree."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 6))
    reg = LSTMRegressor(**QUICK).fit(X, X.sum(axis=1))
    np.testing.assert_allclose(reg.predict(X), reg.predict(X.tolist()), rtol=1e-6)


def test_list_of_equal_length_series_takes_any_length_later(sum_data):
    """Fitted on equally long 1-D arrays, the estimator predicts other lengths."""
    X = [np.linspace(0, 1, 5) * i for i in range(30)]
    reg = LSTMRegressor(**QUICK).fit(X, np.arange(30.0))
    assert reg.n_features_in_ == 1
    assert reg.predict([np.ones(7)]).shape == (1,)


def test_set_params_then_refit(marker_data):
    """set_params on a fitted estimator takes effect at the next fit."""
    X, y = marker_data
    clf = LSTMClassifier(**QUICK).fit(X, y)
    clf.set_params(hidden_size=3).fit(X, y)
    assert clf.net_.module_.recurrent.hidden_size == 3


def _fitted_models():
    """One fitted estimator per estimator and input kind, with the X it predicts."""
    rng = np.random.RandomState(0)
    words = [
        list(rng.choice(["a", "b", "c", "zz"], size=rng.randint(1, 6)))
        for _ in range(40)
    ]
    text = [" ".join(w) for w in words]
    series = [rng.normal(size=(rng.randint(2, 7), 2)) for _ in range(40)]
    table = rng.normal(size=(40, 5))
    both = {"tokens": words, "features": [rng.normal(size=(len(w), 3)) for w in words]}
    labels = np.arange(40) % 3
    quick = {**QUICK, "max_epochs": 2}
    return {
        "classifier, text": (LSTMClassifier(**quick), text, labels),
        "classifier, chars": (
            LSTMClassifier(**{**quick, "char_embedding_dim": 4}),
            words,
            labels,
        ),
        "classifier, tokens+features": (LSTMClassifier(**quick), both, labels),
        "regressor, table": (LSTMRegressor(**quick), table, table.sum(axis=1)),
        "regressor, series": (LSTMRegressor(**quick), series, np.c_[labels, labels]),
        "multilabel, label sets": (
            LSTMMultiLabel(**quick),
            words,
            [set(w) - {"zz"} for w in words],
        ),
        "tagger, tokens": (
            LSTMTagger(**quick),
            words,
            [[t.upper() for t in w] for w in words],
        ),
        "seq2seq, tokens": (
            LSTMSeq2Seq(**quick),
            words,
            [[t.upper() for t in w[:3]] for w in words],
        ),
        "seq2seq, series": (
            LSTMSeq2Seq(**quick),
            series,
            [x[:4, 0] for x in series],
        ),
    }


MODELS = _fitted_models()


def _outputs(estimator, X):
    """Everything an estimator predicts, as a flat float array."""
    method = getattr(estimator, "predict_proba", estimator.predict)
    out = method(X)
    return np.concatenate([np.ravel(o) for o in out]) if isinstance(out, list) else out


def _skops_round_trip(estimator):
    import skops.io as sio

    data = sio.dumps(estimator)
    assert set(sio.get_untrusted_types(data=data)) <= set(SKOPS_TRUSTED_TYPES)
    return sio.loads(data, trusted=SKOPS_TRUSTED_TYPES)


ROUND_TRIPS = {
    "pickle": lambda est: pickle.loads(pickle.dumps(est)),
    "joblib": lambda est: joblib.load(_joblib_file(est)),
    "skops": _skops_round_trip,
}


def _joblib_file(estimator):
    import io

    buffer = io.BytesIO()
    joblib.dump(estimator, buffer)
    buffer.seek(0)
    return buffer


@pytest.mark.parametrize("how", ROUND_TRIPS)
@pytest.mark.parametrize("case", MODELS)
def test_persistence_round_trip(case, how):
    """pickle, joblib and skops round trips predict identically (vocab, scalers)."""
    if how == "skops":
        pytest.importorskip("skops")
    estimator, X, y = MODELS[case]
    estimator.fit(X, y)
    restored = ROUND_TRIPS[how](estimator)
    np.testing.assert_array_equal(_outputs(restored, X), _outputs(estimator, X))
    assert restored.get_params().keys() == estimator.get_params().keys()


def test_loaded_model_keeps_training(marker_data):
    """A pickled model continues training (warm_start) and its history grows."""
    X, y = marker_data
    clf = LSTMClassifier(**QUICK, warm_start=True, early_stopping=True).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    restored.fit(X, y)
    assert restored.n_iter_ == clf.n_iter_ + 5
    assert restored.vocabulary_ == clf.vocabulary_


def test_other_version_warns(marker_data):
    """Loading a model pickled by another sklstm version warns, and still works."""
    X, y = marker_data
    clf = LSTMClassifier(**{**QUICK, "max_epochs": 1}).fit(X, y)
    state = clf.__getstate__()
    state["_sklstm_version"] = "0.0.1"
    restored = LSTMClassifier.__new__(LSTMClassifier)
    with pytest.warns(InconsistentVersionWarning, match="saved with sklstm 0.0.1"):
        restored.__setstate__(state)
    np.testing.assert_array_equal(restored.predict(X), clf.predict(X))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_model_loads_on_cpu(marker_data, tmp_path):
    """A CUDA-fitted model, pickled, predicts in a process that cannot see CUDA."""
    X, y = marker_data
    clf = LSTMClassifier(**QUICK, device="cuda").fit(X, y)
    joblib.dump((clf, X, clf.predict_proba(X)), tmp_path / "model.joblib")
    script = (
        "import joblib, numpy as np, torch; assert not torch.cuda.is_available(); "
        f"clf, X, p = joblib.load({str(tmp_path / 'model.joblib')!r}); "
        "np.testing.assert_allclose(clf.predict_proba(X), p, atol=1e-5)"
    )
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    subprocess.run([sys.executable, "-c", script], env=env, check=True)
    cpu = LSTMClassifier(**QUICK).fit(X, y)
    on_gpu = pickle.loads(pickle.dumps(cpu)).set_params(device="cuda")
    np.testing.assert_allclose(on_gpu.predict_proba(X), cpu.predict_proba(X), atol=1e-5)
    assert next(on_gpu.net_.module_.parameters()).is_cuda


def test_grid_search_in_two_processes(marker_data):
    """GridSearchCV(n_jobs=2) fits in joblib's worker processes."""
    X, y = marker_data
    search = GridSearchCV(
        LSTMClassifier(**QUICK), {"hidden_size": [4, 8]}, cv=2, n_jobs=2
    ).fit(X, y)
    assert search.best_estimator_.score(X, y) > 0.5


def test_search_on_a_dask_cluster(marker_data):
    """The same search runs under joblib's dask backend on a LocalCluster."""
    distributed = pytest.importorskip("dask.distributed")
    X, y = marker_data
    search = GridSearchCV(LSTMClassifier(**QUICK), {"hidden_size": [4, 8]}, cv=2)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
        joblib.parallel_backend("dask"),
    ):
        search.fit(X, y)
    assert len(search.cv_results_["params"]) == 2


def test_calibrated_classifier(marker_data):
    """CalibratedClassifierCV wraps the classifier's predict_proba."""
    from sklearn.calibration import CalibratedClassifierCV

    X, y = marker_data
    calibrated = CalibratedClassifierCV(LSTMClassifier(**QUICK), cv=2).fit(X, y)
    proba = calibrated.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


class TestSampleWeight:
    def test_loss_is_weighted_mean(self, marker_data):
        """The batch loss is the sample-weighted mean of per-sequence losses."""
        X, y = marker_data
        weight = np.random.RandomState(0).uniform(0, 2, size=len(X))
        clf = LSTMClassifier(**{**QUICK, "max_epochs": 1}).fit(X, y, weight)
        data = clf._prepare(X)
        targets = clf.head_.transform(y)
        batch_X, batch_y = data.with_targets(targets, sample_weight=weight).batch(
            torch.arange(len(X))
        )
        clf.net_.module_.eval()
        with torch.no_grad():
            loss = clf.net_.get_loss(clf.net_.infer(batch_X), batch_y)
        logits = clf.net_.forward(data)
        per_sequence = torch.nn.functional.cross_entropy(
            logits, torch.as_tensor(targets), reduction="none"
        ).numpy()
        expected = (weight * per_sequence).sum() / weight.sum()
        assert loss.item() == pytest.approx(expected, rel=1e-5)

    def test_weights_steer_the_fit(self):
        """Identical sequences with conflicting labels follow the heavier label."""
        X = [["same", "tokens"]] * 40
        y = ["a", "b"] * 20
        weight = np.where(np.array(y) == "b", 5.0, 1.0)
        clf = LSTMClassifier(**{**QUICK, "max_epochs": 10}).fit(
            X, y, sample_weight=weight
        )
        assert clf.predict(X[:1]).tolist() == ["b"]
        assert clf.predict_proba(X[:1])[0, 1] == pytest.approx(5 / 6, abs=0.05)

    @pytest.mark.parametrize(
        "weight, match",
        [
            ([1.0, 2.0], r"sample_weight has shape \(2,\); expected \(3,\)"),
            ([1.0, -1.0, 1.0], "finite, non-negative"),
            ([0.0, 0.0, 0.0], "all zero"),
        ],
    )
    def test_bad_weights(self, weight, match):
        """Wrong-length, negative or all-zero weights are rejected."""
        with pytest.raises(ValueError, match=match):
            LSTMClassifier().fit([["a"], ["b"], ["c"]], [0, 1, 0], sample_weight=weight)

    def test_metadata_routing(self, marker_data):
        """With metadata routing on, GridSearchCV routes sample_weight to fit."""
        import sklearn

        X, y = marker_data
        weight = np.ones(len(X))
        weight[0] = -1.0  # only fit's own check can notice this
        with sklearn.config_context(enable_metadata_routing=True):
            search = GridSearchCV(
                LSTMClassifier(**QUICK)
                .set_fit_request(sample_weight=True)
                .set_score_request(sample_weight=False),
                {"hidden_size": [4]},
                cv=2,
                error_score="raise",
            )
            with pytest.raises(ValueError, match="non-negative"):
                search.fit(X, y, sample_weight=weight)
            search.fit(X, y, sample_weight=np.ones(len(X)))


def test_dataframe_feature_names():
    """A DataFrame's columns become feature_names_in_, checked at predict."""
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(rng.normal(size=(30, 4)), columns=["t0", "t1", "t2", "t3"])
    reg = LSTMRegressor(**QUICK).fit(frame, rng.normal(size=30))
    assert reg.feature_names_in_.tolist() == ["t0", "t1", "t2", "t3"]
    assert reg.n_features_in_ == 4
    with pytest.raises(ValueError, match="feature names should match"):
        reg.predict(frame[["t3", "t2", "t1", "t0"]])
