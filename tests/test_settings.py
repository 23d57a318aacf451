"""Every "auto" is resolved once per fit into a fitted attribute."""

import numpy as np
import pytest
from conftest import ESTIMATORS, FAST

from sklstm import (
    LSTMClassifier,
    LSTMMultiLabel,
    LSTMRegressor,
    LSTMSeq2Seq,
    LSTMTagger,
)
from sklstm.settings import auto_names, resolve_network, resolve_training

WORDS = [["a", "bb", "a"], ["bb", "cc"], ["cc"], ["a", "cc", "bb", "a"]] * 4
SERIES = [np.linspace(0, 1, n)[:, None] for n in (5, 9, 7, 12)] * 4
#: series of 15 to 36 steps, long enough for the convolutional branch's narrow LSTM
LONGER = [np.sin(np.linspace(0, n, 3 * n))[:, None] for n in (5, 9, 7, 12)] * 4


def _fitted(Estimator, X, **params):
    targets = {
        LSTMClassifier: [0, 1, 0, 1] * 4,
        LSTMMultiLabel: [{"x"}, {"y"}, set(), {"x", "y"}] * 4,
        LSTMRegressor: [0.1, 0.5, 0.2, 0.9] * 4,
        LSTMTagger: [[len(t) % 2 for t in x] for x in X],
        LSTMSeq2Seq: [list(x[::-1]) for x in X] if isinstance(X[0], list) else X,
    }
    return Estimator(**{**FAST, "max_epochs": 1, **params}).fit(X, targets[Estimator])


def _accepts_auto(declared, name):
    try:
        declared.check("auto", name)
    except (TypeError, ValueError):
        return False
    return True


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_the_list_matches_the_declarations(Estimator):
    """auto_names lists exactly the hyperparameters whose checks accept "auto"
    (bar tokenizer, for which "auto" is a regular expression like any other, and
    checkpoint_dir, for which it is a directory's name)."""
    accepting = {
        name
        for name, declared in Estimator._hyperparameters.items()
        if _accepts_auto(declared, name) and name not in ("tokenizer", "checkpoint_dir")
    }
    assert set(auto_names(Estimator)) == accepting


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("X", [WORDS, SERIES], ids=["tokens", "series"])
def test_every_auto_is_a_fitted_attribute(Estimator, X):
    """After fit, each hyperparameter that accepts "auto" has a resolved value
    under its name and a trailing underscore, never "auto" itself."""
    if Estimator is LSTMTagger and X is SERIES:
        pytest.skip("the tagger's labels here are made from tokens")
    params = {"char_embedding_dim": "auto"}
    model = _fitted(Estimator, X, **params)
    for name in auto_names(Estimator):
        resolved = getattr(model, f"{name}_")
        assert not (isinstance(resolved, str) and resolved == "auto"), name


def test_the_network_is_built_from_the_resolved_values():
    """The module has the pooling, directions, dropout, characters and patches
    that the fitted attributes say, for text and for series."""
    for X in (WORDS, SERIES):
        model = _fitted(LSTMClassifier, X, char_embedding_dim="auto")
        module = model.net_.module_
        assert module.pooling.pooling == model.pooling_
        assert module.recurrent.num_directions == 1 + model.bidirectional_
        assert module.dropout.p == model.dropout_
        assert (module.chars is not None) == (model.char_embedding_dim_ > 0)
        assert module.patch_size == model.patch_size_
        assert (module.conv is not None) == bool(model.conv_filters_)


def test_the_lstm_is_narrow_beside_a_convolutional_branch():
    """hidden_size="auto" is 8 where a convolutional branch reads series of 10
    steps or more (LSTM-FCN's smallest LSTM), 64 without one or on shorter
    series (SERIES: median 8 steps); the module has that width."""
    cases = [
        (LONGER, {}, 8),
        (LONGER, {"conv_filters": None}, 64),
        (SERIES, {}, 64),
        (WORDS, {}, 64),
        (LONGER, {"hidden_size": 5}, 5),
    ]
    for X, params, expected in cases:
        model = _fitted(LSTMClassifier, X, **{"hidden_size": "auto", **params})
        assert model.hidden_size_ == expected
        assert model.net_.module_.recurrent.hidden_size == expected
    assert _fitted(LSTMRegressor, LONGER, hidden_size="auto").hidden_size_ == 64


@pytest.mark.parametrize(
    "n_sequences, factor",
    [(10_000, 1), (10_001, 2), (100_000, 2), (100_001, 4)],
)
@pytest.mark.parametrize(
    "Estimator", [LSTMClassifier, LSTMTagger, LSTMMultiLabel, LSTMSeq2Seq]
)
def test_the_network_widens_with_the_training_sequences(Estimator, n_sequences, factor):
    """hidden_size="auto" doubles past 10,000 and again past 100,000 training
    sequences, for every estimator, from 64 (text) and from 8 (beside a
    convolutional branch); a given hidden_size is kept at any size."""
    model = _fitted(Estimator, WORDS, hidden_size="auto")
    resolved = resolve_network(model, model.input_encoder_, n_sequences)
    assert resolved["hidden_size_"] == 64 * factor
    given = _fitted(Estimator, WORDS, hidden_size=5)
    assert (
        resolve_network(given, given.input_encoder_, n_sequences)["hidden_size_"] == 5
    )
    if Estimator is LSTMClassifier:
        series = _fitted(Estimator, LONGER, hidden_size="auto")
        resolved = resolve_network(series, series.input_encoder_, n_sequences)
        assert resolved["hidden_size_"] == 8 * factor


@pytest.mark.parametrize(
    "n_sequences, expected",
    [(10_000, 0.5), (10_001, 0.35), (100_000, 0.35), (100_001, 0.2)],
)
@pytest.mark.parametrize("Estimator", [LSTMClassifier, LSTMTagger, LSTMSeq2Seq])
def test_token_dropout_falls_with_the_training_sequences(
    Estimator, n_sequences, expected
):
    """dropout="auto" for token input is 0.5, 0.35 past 10,000 and 0.2 past
    100,000 training sequences, for every estimator; numeric series keep none,
    and a given dropout is kept at any size."""
    model = _fitted(Estimator, WORDS)
    resolved = resolve_network(model, model.input_encoder_, n_sequences)
    assert resolved["dropout_"] == expected
    given = _fitted(Estimator, WORDS, dropout=0.5)
    assert resolve_network(given, given.input_encoder_, n_sequences)["dropout_"] == 0.5
    if Estimator is not LSTMTagger:  # whose labels here are made from tokens
        series = _fitted(Estimator, SERIES)
        resolved = resolve_network(series, series.input_encoder_, n_sequences)
        assert resolved["dropout_"] == 0.0


def test_given_values_are_kept():
    """A value other than "auto" is its own resolution (numpy booleans as bool)."""
    model = _fitted(
        LSTMClassifier,
        WORDS,
        pooling="mean",
        bidirectional=np.False_,
        early_stopping=np.True_,
        n_iter_no_change=4,
        validation_fraction=0.25,
    )
    assert model.pooling_ == "mean"
    assert model.bidirectional_ is False
    assert model.early_stopping_ is True and model.n_iter_no_change_ == 4


def test_multilabel_threshold_given_is_kept():
    """threshold_ is the given threshold, or the one "auto" learned."""
    assert _fitted(LSTMMultiLabel, WORDS, threshold=0.3).threshold_ == 0.3
    assert 0 < _fitted(LSTMMultiLabel, WORDS).threshold_ < 1


def test_patience_counts_optimizer_steps():
    """n_iter_no_change="auto" waits 200 steps: many epochs for small data, and
    counts only the sequences left for training."""
    clf = LSTMClassifier(batch_size=32)

    def patience(n):
        return resolve_training(clf, n, incremental=False)["n_iter_no_change_"]

    assert patience(50) == 100  # 2 steps per epoch
    assert patience(100_000) == 3
    # 1,100 sequences: 990 left after holding out 110, 31 steps per epoch
    assert patience(1_100) == 7
    assert clf.set_params(n_iter_no_change=7) and patience(50) == 7


def test_batch_size_auto_gives_two_batches_at_least():
    """batch_size="auto" is 32, halved down to 8 while one batch would hold every
    sequence left for training, so that no epoch is a single full-batch step."""
    clf = LSTMClassifier()

    def batch_size(n, **params):
        clf.set_params(**params)
        return resolve_training(clf, n, incremental=False)["batch_size_"]

    sizes = {n: batch_size(n) for n in (5, 16, 17, 28, 32, 33, 100, 5_000)}
    assert sizes == {5: 8, 16: 8, 17: 16, 28: 16, 32: 16, 33: 32, 100: 32, 5_000: 32}
    # 40 sequences, 10 held out: 30 train in two batches of 16 at most
    assert batch_size(40, early_stopping=True, validation_fraction=0.25) == 16
    assert batch_size(5, batch_size=64) == 64


def test_batch_size_auto_trains_as_the_size_it_chose():
    """A fit with "auto" is the fit with the chosen size given: the same batches
    (two per epoch for 28 sequences) and the same predictions."""
    X, y = LONGER[:14] * 2, ([0, 1, 0, 1] * 4)[:14] * 2
    auto = LSTMClassifier(**{**FAST, "batch_size": "auto", "max_epochs": 3}).fit(X, y)
    given = LSTMClassifier(**{**FAST, "batch_size": 16, "max_epochs": 3}).fit(X, y)
    assert auto.batch_size_ == 16 and auto.batch_size == "auto"
    assert [len(epoch["batches"]) for epoch in auto.history_] == [2, 2, 2]
    np.testing.assert_array_equal(auto.predict_proba(X), given.predict_proba(X))


@pytest.mark.parametrize(
    ("Estimator", "expected"),
    [
        (LSTMClassifier, "per_series"),
        (LSTMMultiLabel, "per_series"),
        (LSTMRegressor, True),
        (LSTMSeq2Seq, True),
    ],
)
def test_per_series_scale_is_for_classifying(Estimator, expected):
    """On univariate series whose scales spread, "auto" scales per series for
    the classifiers only (amplitudes are what a regression or forecast
    predicts); the network reads each step's shape, level and log-scale."""
    lengths = (12, 15, 11, 20) * 4  # shapes: 10 steps or more
    spread = [np.linspace(0, 1, n)[:, None] * 10.0**k for k, n in enumerate(lengths)]
    model = _fitted(Estimator, spread)
    assert model.standardize_ == expected
    n_inputs = model.net_.module_.recurrent.layers[0][0].input_size
    assert n_inputs == model.input_encoder_.n_step_features_
    assert model.input_encoder_.n_step_features_ == (
        3 if expected == "per_series" else 1
    ) * model.patch_size_ + (model.patch_size_ > 1)


def test_weight_decay_auto_by_input():
    """The regressor's "auto" weight decay: none on tokens (it would erase the
    embedding rows a batch does not touch), some on numeric series; a warm start
    with a new value trains with it. The other estimators' default is 0."""
    auto = {"weight_decay": "auto"}  # FAST gives 0.0
    assert _fitted(LSTMRegressor, WORDS, **auto).weight_decay_ == 0.0
    series = _fitted(LSTMRegressor, SERIES, **auto)
    assert series.weight_decay_ > 0
    assert series.net_.optimizer_.param_groups[0]["weight_decay"] == (
        series.weight_decay_
    )
    series.set_params(warm_start=True, weight_decay=0.5)
    series.fit(SERIES, [0.1, 0.5, 0.2, 0.9] * 4)
    assert series.net_.optimizer_.param_groups[0]["weight_decay"] == 0.5
    for Estimator in (LSTMClassifier, LSTMMultiLabel, LSTMTagger, LSTMSeq2Seq):
        assert Estimator().weight_decay == 0.0
