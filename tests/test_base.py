"""Behaviour every estimator shares: input forms, errors, training options."""

import pickle
import warnings

import numpy as np
import pytest
import torch
from conftest import FAST
from sklearn.exceptions import NotFittedError

from sklstm import LSTMClassifier, LSTMMultiLabel, LSTMRegressor, LSTMTagger


def _forms():
    """Each input form with a target that depends on what it carries."""
    rng = np.random.RandomState(3)
    lengths = rng.randint(2, 9, size=120)
    flag = np.arange(120) % 2
    words = [
        ["hi" if f else "lo"] + ["x"] * (n - 1)
        for f, n in zip(flag, lengths, strict=True)
    ]
    series = [
        rng.normal(size=(n, 2)) + 2 * f for f, n in zip(flag, lengths, strict=True)
    ]
    return (
        {
            "token lists": words,
            "int tokens": [
                [7 if f else 8] + [0] * (n - 1)
                for f, n in zip(flag, lengths, strict=True)
            ],
            "raw strings": [" ".join(w) for w in words],
            "ragged arrays": series,
            "1-D float arrays": [s[:, 0] for s in series],
            "3-D array": rng.normal(size=(120, 5, 3)) + 2 * flag[:, None, None],
            "2-D array": rng.normal(size=(120, 6)) + 2 * flag[:, None],
            "dict": {
                "tokens": [["x"] * n for n in lengths],
                "features": [
                    s * (2 * f - 1) for f, s in zip(flag, series, strict=True)
                ],
            },
        },
        flag,
        lengths,
    )


FORMS, FLAG, LENGTHS = _forms()


@pytest.mark.parametrize("form", FORMS)
def test_classifier_every_input_form(form):
    """The classifier trains on each input form and predicts in its shape."""
    X = FORMS[form]
    clf = LSTMClassifier(**FAST).fit(X, FLAG)
    assert clf.predict(X).shape == (120,)
    assert clf.score(X, FLAG) >= 0.9


@pytest.mark.parametrize("form", FORMS)
def test_regressor_every_input_form(form):
    """The regressor trains on each input form and predicts one value each."""
    X = FORMS[form]
    reg = LSTMRegressor(**FAST).fit(X, 3.0 * FLAG)
    assert reg.predict(X).shape == (120,)
    assert reg.score(X, 3.0 * FLAG) >= 0.8


@pytest.mark.parametrize("form", FORMS)
def test_multilabel_every_input_form(form):
    """The multi-label estimator trains on each input form."""
    X = FORMS[form]
    y = [{"flag", "always"} if f else {"always"} for f in FLAG]
    clf = LSTMMultiLabel(**FAST).fit(X, y)
    assert len(clf.predict(X)) == 120
    assert clf.score(X, y) >= 0.9


@pytest.mark.parametrize("form", FORMS)
def test_tagger_every_input_form(form):
    """The tagger labels every step of each input form (tag: the sequence's flag)."""
    X = FORMS[form]
    steps = {"3-D array": [5] * 120, "2-D array": [6] * 120}.get(form, LENGTHS)
    y = [[int(f)] * n for f, n in zip(FLAG, steps, strict=True)]
    tagger = LSTMTagger(**FAST).fit(X, y)
    assert [len(tags) for tags in tagger.predict(X)] == list(steps)
    assert tagger.score(X, y) >= 0.9


class TestFittedAttributes:
    def test_tokens(self):
        """Token input sets vocabulary_ (0 pads, 1 unknown) and no n_features_in_."""
        clf = LSTMClassifier(**{**FAST, "max_epochs": 1}).fit(
            FORMS["token lists"], FLAG
        )
        assert clf.vocabulary_ == {"x": 2, "lo": 3, "hi": 4}
        assert not hasattr(clf, "n_features_in_")
        assert clf.n_iter_ == 1 and len(clf.history_) == 1

    def test_numeric(self):
        """Numeric input sets n_features_in_: features per step, or columns of 2-D."""
        fit = LSTMRegressor(**{**FAST, "max_epochs": 1}).fit
        assert fit(FORMS["ragged arrays"], FLAG).n_features_in_ == 2
        assert fit(FORMS["2-D array"], FLAG).n_features_in_ == 6
        assert not hasattr(fit(FORMS["3-D array"], FLAG), "vocabulary_")

    def test_unknown_tokens_at_predict(self):
        """Tokens unseen in fit map to the unknown row instead of failing."""
        clf = LSTMClassifier(**FAST).fit(FORMS["token lists"], FLAG)
        assert clf.predict([["never", "seen"], ["hi", "unseen"]]).shape == (2,)


class TestErrors:
    @pytest.mark.parametrize("Estimator", [LSTMClassifier, LSTMRegressor])
    def test_predict_before_fit(self, Estimator):
        """Predicting before fit raises NotFittedError."""
        with pytest.raises(NotFittedError):
            Estimator().predict([["a"]])

    def test_length_mismatch(self):
        """len(X) != len(y) says both counts."""
        with pytest.raises(ValueError, match="X has 3 sequences but y has 2 targets"):
            LSTMClassifier().fit([["a"], ["b"], ["c"]], [0, 1])

    def test_feature_count_at_predict(self):
        """A different feature count at predict says both counts."""
        reg = LSTMRegressor(**{**FAST, "max_epochs": 1}).fit(
            FORMS["ragged arrays"], FLAG
        )
        with pytest.raises(
            ValueError,
            match="X has 3 features per step, but the estimator is expecting 2",
        ):
            reg.predict([np.ones((4, 3))])

    def test_cuda_absent(self):
        """device='cuda' without CUDA is a clear error, not a torch traceback."""
        if torch.cuda.is_available():
            pytest.skip("CUDA is available here")
        with pytest.raises(ValueError, match="CUDA is not available"):
            LSTMClassifier(device="cuda").fit([["a"], ["b"]], [0, 1])

    @pytest.mark.parametrize(
        "param, match",
        [
            ({"hidden_size": 0}, "hidden_size == 0, must be >= 1"),
            ({"cell": "rnn"}, r"cell='rnn' is not supported"),
            ({"pooling": "first"}, r"pooling='first' is not supported"),
            ({"dropout": 1.0}, "dropout == 1.0, must be < 1"),
            ({"token_dropout": -0.1}, "token_dropout == -0.1, must be >= 0"),
            ({"optimizer": "lbfgs"}, r"optimizer='lbfgs' is not supported"),
            ({"device": "tpu"}, r"device='tpu' is not a device"),
            ({"gradient_clip": -1.0}, "gradient_clip == -1.0, must be > 0"),
            ({"gradient_clip": 0}, "gradient_clip == 0, must be > 0"),
            ({"gradient_clip": float("nan")}, "gradient_clip == nan, must be a finite"),
            ({"lr": float("nan")}, "lr == nan, must be a finite"),
            ({"dropout": float("nan")}, "dropout == nan, must be a finite"),
            ({"max_vocabulary_size": -1}, "max_vocabulary_size == -1, must be >= 1"),
            ({"max_vocabulary_size": 0}, "max_vocabulary_size == 0, must be >= 1"),
            ({"pooling": None}, r"pooling=None is not supported"),
            (
                {"embedding_dim": 3, "pretrained_embeddings": {"a": [1.0, 2.0]}},
                "embedding_dim=3 differs from the width 2",
            ),
        ],
    )
    def test_bad_hyperparameters(self, param, match):
        """Invalid hyperparameters are caught in fit with their name and value."""
        with pytest.raises(ValueError, match=match):
            LSTMClassifier(**param).fit([["a"], ["b"]], [0, 1])

    def test_hyperparameter_of_the_wrong_type(self):
        """A hyperparameter of the wrong type is a TypeError naming it."""
        with pytest.raises(TypeError, match="max_vocabulary_size must be an instance"):
            LSTMClassifier(max_vocabulary_size=2.5).fit([["a"], ["b"]], [0, 1])


class TestTraining:
    def test_same_seed_same_predictions(self, marker_data):
        """The same random_state gives identical predictions; None varies."""
        X, y = marker_data
        fit = [
            LSTMClassifier(**{**FAST, "max_epochs": 2, "random_state": seed})
            .fit(X, y)
            .predict_proba(X)
            for seed in (5, 5, None)
        ]
        np.testing.assert_array_equal(fit[0], fit[1])
        assert not np.array_equal(fit[0], fit[2])

    def test_seed_leaves_global_rng_alone(self, marker_data):
        """Fitting with a seed does not reset the caller's torch RNG."""
        torch.manual_seed(123)
        expected = torch.rand(1)
        torch.manual_seed(123)
        LSTMClassifier(**{**FAST, "max_epochs": 1}).fit(*marker_data)
        assert torch.rand(1) == expected

    def test_early_stopping_restores_best_weights(self, marker_data):
        """Early stopping stops once validation accuracy (a classifier's score)
        stops improving and restores the best epoch.

        Random labels make the network overfit, so validation accuracy soon stalls.
        """
        X, y = marker_data
        y = np.random.RandomState(0).permutation(y)
        clf = LSTMClassifier(
            **{**FAST, "max_epochs": 60},
            early_stopping=True,
            n_iter_no_change=3,
            validation_fraction=0.25,
        ).fit(X, y)
        valid_score = clf.history_[:, "valid_score"]
        assert clf.n_iter_ < 60
        assert np.argmax(valid_score) == clf.n_iter_ - 1 - 3
        valid = clf.net_.train_split.keywords["valid_ds"]
        accuracy = (clf.net_.forward(valid).argmax(dim=1) == valid.y).double().mean()
        assert accuracy.item() == pytest.approx(max(valid_score))

    def test_warm_start_continues(self, marker_data):
        """warm_start keeps the network, vocabulary and classes and adds epochs."""
        X, y = marker_data
        clf = LSTMClassifier(**{**FAST, "max_epochs": 2}, warm_start=True).fit(X, y)
        module, vocabulary = clf.net_.module_, clf.vocabulary_
        clf.fit(X[:50], y[:50])
        assert clf.net_.module_ is module and clf.vocabulary_ is vocabulary
        assert clf.n_iter_ == 4
        with pytest.raises(ValueError, match="labels not seen in fit"):
            clf.fit(X[:2], ["plain", "new"])

    def test_warm_start_takes_new_training_settings(self, marker_data):
        """A warm start uses the new batch_size (also to predict) and weight_decay."""
        X, y = marker_data
        clf = LSTMClassifier(**{**FAST, "max_epochs": 1}, warm_start=True).fit(X, y)
        clf.set_params(batch_size=5, weight_decay=0.25).fit(X, y)
        assert clf.net_.optimizer_.param_groups[0]["weight_decay"] == 0.25
        dataset = clf._prepare(X)
        for training, size in [(True, 5), (False, 10)]:
            iterator = clf.net_.get_iterator(dataset, training=training)
            assert max(len(batch[0]["lengths"]) for batch in iterator) == size

    def test_gradient_clip_and_optimizer(self, marker_data):
        """gradient_clip and the optimizer choice reach the skorch net."""
        X, y = marker_data
        clf = LSTMClassifier(
            **{**FAST, "max_epochs": 1, "weight_decay": 0.01},
            gradient_clip=0.5,
            optimizer="sgd",
        ).fit(X, y)
        assert isinstance(clf.net_.optimizer_, torch.optim.SGD)
        assert clf.net_.optimizer_.param_groups[0]["weight_decay"] == 0.01
        assert any(
            type(cb).__name__ == "GradientNormClipping" for _, cb in clf.net_.callbacks_
        )

    @pytest.mark.parametrize("name", ["adam", "adamw", "sgd", "rmsprop"])
    def test_a_named_optimizer_runs_fused_as_its_class_would(self, marker_data, name):
        """An optimizer given by name runs torch's fused kernel where torch has one
        (RMSprop has none); the fit ends where the same torch class, given by the
        user and built unfused, ends, up to rounding."""
        X, y = marker_data
        params = {**FAST, "max_epochs": 5, "random_state": 0}
        named = LSTMClassifier(**params, optimizer=name).fit(X, y)
        cls = LSTMClassifier(**params, optimizer=type(named.net_.optimizer_)).fit(X, y)
        fused = named.net_.optimizer_.param_groups[0].get("fused")
        assert fused is (None if name == "rmsprop" else True)
        assert not cls.net_.optimizer_.param_groups[0].get("fused")
        np.testing.assert_allclose(
            named.predict_proba(X), cls.predict_proba(X), atol=1e-4
        )

    def test_verbose_prints_epoch_table(self, marker_data, capsys):
        """verbose=1 prints skorch's per-epoch table; verbose=0 prints nothing."""
        X, y = marker_data
        LSTMClassifier(**{**FAST, "max_epochs": 2}).fit(X, y)
        assert capsys.readouterr().out == ""
        LSTMClassifier(**{**FAST, "max_epochs": 2}, verbose=1).fit(X, y)
        assert "train_loss" in capsys.readouterr().out


class TestPretrainedEmbeddings:
    def test_vectors_loaded_and_frozen(self):
        """Pretrained rows start at their vectors and stay there when frozen."""
        vectors = {"hi": [1.0, 0.0, 0.0], "lo": [0.0, 1.0, 0.0], "far": [0, 0, 1.0]}
        clf = LSTMClassifier(
            **{**FAST, "embedding_dim": None},
            pretrained_embeddings=vectors,
            freeze_embeddings=True,
        ).fit(FORMS["token lists"], FLAG)
        weight = clf.net_.module_.embedding.weight
        for token, vector in vectors.items():
            assert weight[clf.vocabulary_[token]].tolist() == vector
        assert "far" in clf.vocabulary_  # known at predict though unseen in fit
        assert clf.score(FORMS["token lists"], FLAG) >= 0.9

    def test_lowercase_folds_pretrained_tokens(self):
        """With lowercase, cased vectors reach their lowercased rows; first one wins."""
        vectors = {"HI": [1.0, 0.0, 0.0], "hi": [0.0, 1.0, 0.0], "Far": [0, 0, 1.0]}
        clf = LSTMClassifier(
            **{**FAST, "embedding_dim": None, "max_epochs": 1},
            lowercase=True,
            pretrained_embeddings=vectors,
            freeze_embeddings=True,
        ).fit(FORMS["token lists"], FLAG)
        weight = clf.net_.module_.embedding.weight
        assert weight[clf.vocabulary_["hi"]].tolist() == [1.0, 0.0, 0.0]
        assert weight[clf.vocabulary_["far"]].tolist() == [0.0, 0.0, 1.0]
        assert "HI" not in clf.vocabulary_ and "Far" not in clf.vocabulary_

    def test_array_and_tokens_form(self):
        """An (array, tokens) pair works like a dict, and training moves vectors."""
        clf = LSTMClassifier(
            **{**FAST, "embedding_dim": None},
            pretrained_embeddings=(np.eye(2), ["hi", "lo"]),
        )
        clf.fit(FORMS["token lists"], FLAG)
        assert clf.net_.module_.embedding.weight.shape == (5, 2)
        assert clf.net_.module_.embedding.weight[clf.vocabulary_["hi"]].tolist() != [
            1.0,
            0.0,
        ]


class TestPartialFit:
    def test_chunks_approach_a_full_fit(self, marker_data):
        """Epochs of partial_fit over chunks reach a full fit's score."""
        X, y = marker_data
        full = LSTMClassifier(**FAST).fit(X, y).score(X, y)
        clf = LSTMClassifier(**FAST)
        for _ in range(FAST["max_epochs"]):
            for start in range(0, len(X), 60):
                clf.partial_fit(
                    X[start : start + 60],
                    y[start : start + 60],
                    classes=["marker", "plain"],
                )
        assert clf.score(X, y) >= full - 0.05
        assert clf.n_iter_ == FAST["max_epochs"] * 4

    def test_partial_fit_after_fit_continues(self, marker_data):
        """partial_fit after fit trains one more epoch of the same network."""
        X, y = marker_data
        clf = LSTMClassifier(**{**FAST, "max_epochs": 2}).fit(X, y)
        net = clf.net_
        clf.partial_fit(X[:50], y[:50])
        assert clf.net_ is net and clf.n_iter_ == 3

    def test_first_call_needs_classes(self, marker_data):
        """A classifier's first partial_fit must name every class."""
        X, y = marker_data
        with pytest.raises(
            ValueError, match="first call of LSTMClassifier.partial_fit"
        ):
            LSTMClassifier().partial_fit(X, y)

    def test_new_class_in_a_later_chunk(self, marker_data):
        """A label outside the classes of the first call is a clear error."""
        X, y = marker_data
        clf = LSTMClassifier(**FAST).partial_fit(X, y, classes=["marker", "plain"])
        with pytest.raises(ValueError, match=r"labels not seen in fit: \['new'\]"):
            clf.partial_fit(X[:2], ["new", "plain"])

    def test_vocabulary_fixed_at_the_first_call(self):
        """Tokens first seen in a later chunk map to the unknown token."""
        clf = LSTMClassifier(**FAST, min_frequency=1).partial_fit(
            [["a"], ["b"]], [0, 1], classes=[0, 1]
        )
        clf.partial_fit([["c"], ["a"]], [0, 1])
        assert set(clf.vocabulary_) == {"a", "b"}

    def test_wrong_classes(self, marker_data, sum_data):
        """classes that differ from the first call's, or given to a regressor,
        are clear errors."""
        X, y = marker_data
        clf = LSTMClassifier(**FAST).partial_fit(X, y, classes=["marker", "plain"])
        with pytest.raises(ValueError, match=r"classes=\['marker', 'other'\] differs"):
            clf.partial_fit(X, y, classes=["marker", "other"])
        with pytest.raises(ValueError, match="classes is for classifiers"):
            LSTMRegressor(**FAST).partial_fit(*sum_data, classes=[0, 1])
        reg = LSTMRegressor(**FAST).partial_fit(*sum_data)
        with pytest.raises(ValueError, match="classes is for estimators with classes"):
            reg.partial_fit(*sum_data, classes=[0, 1])  # a later call, too

    def test_multilabel_label_sets_with_classes(self):
        """Label sets take their labels from classes; a label outside it is an error."""
        X, y = [["a"], ["b"]], [{"x"}, {"y"}]
        clf = LSTMMultiLabel(**FAST).partial_fit(X, y, classes=["z", "y", "x"])
        assert clf.classes_.tolist() == ["x", "y", "z"]
        with pytest.raises(ValueError, match=r"labels not seen in fit: \['w'\]"):
            LSTMMultiLabel(**FAST).partial_fit(X, [{"w"}, set()], classes=["x"])

    def test_regressor_and_tagger(self, sum_data):
        """The regressor needs no classes; the tagger takes its tag set."""
        X, y = sum_data
        assert LSTMRegressor(**FAST).partial_fit(X, y).n_iter_ == 1
        tagger = LSTMTagger(**FAST).partial_fit(
            [["a", "b"]], [["D", "N"]], classes=["D", "N", "V"]
        )
        assert tagger.classes_.tolist() == ["D", "N", "V"]


class TestTrainingLength:
    def test_patched_series_predict_as_if_alone(self):
        """With patches, a series predicts the same alone and in a ragged batch."""
        rng = np.random.RandomState(0)
        X = [rng.normal(size=(n, 2)) for n in rng.randint(40, 90, size=40)]
        reg = LSTMRegressor(**FAST, patch_size=7).fit(X, rng.normal(size=40))
        together = reg.predict(X)
        alone = np.array([reg.predict([x])[0] for x in X])
        np.testing.assert_allclose(together, alone, rtol=1e-5, atol=1e-6)

    def test_training_stops_when_the_loss_stops_improving(self, marker_data):
        """Training stops early on a plateau (tol) or runs max_epochs (tol=None)."""
        X, y = marker_data
        params = {**FAST, "max_epochs": 300, "n_iter_no_change": 3}
        stopped = LSTMClassifier(**params, tol=0.5).fit(X, y)
        assert stopped.n_iter_ < 300 and "valid_loss" not in stopped.history_[-1]
        full = LSTMClassifier(**{**params, "max_epochs": 5}, tol=None).fit(X, y)
        assert full.n_iter_ == 5

    def test_training_stops_once_the_training_data_are_fitted(self, marker_data):
        """Without a held-out part, training stops on the first epoch whose loss
        is at most 1% of the first epoch's, patience or not; tol=None trains on."""
        X, y = marker_data
        params = {**FAST, "max_epochs": 150, "n_iter_no_change": 1000}
        clf = LSTMClassifier(**params).fit(X, y)
        losses = np.array(clf.history_[:, "train_loss"])
        below = np.flatnonzero(losses <= 0.01 * losses[0])
        assert len(below) and clf.n_iter_ == below[0] + 1 < 150
        assert LSTMClassifier(**params, tol=None).fit(X, y).n_iter_ == 150

    @pytest.mark.parametrize("schedule, factor", [("constant", 1.0), ("adaptive", 0.5)])
    def test_lr_schedule(self, marker_data, schedule, factor):
        """ "adaptive" halves the rate after half the patience without improvement
        (here, no epoch after the first improves by the huge tol)."""
        X, y = marker_data
        params = {**FAST, "max_epochs": 300, "n_iter_no_change": 4, "tol": 1e9}
        clf = LSTMClassifier(**params, lr_schedule=schedule).fit(X, y)
        assert clf.n_iter_ == 5  # the first epoch, then 4 without improvement
        rate = clf.net_.optimizer_.param_groups[0]["lr"]
        assert rate == pytest.approx(FAST["lr"] * factor)

    def test_validation_from_a_thousand_sequences(self):
        """early_stopping='auto' holds out a validation part from 1000 sequences."""
        X = [["a", "b"][: 1 + i % 2] for i in range(1000)]
        y = [i % 2 for i in range(1000)]
        params = {**FAST, "max_epochs": 1}
        assert "valid_loss" in LSTMClassifier(**params).fit(X, y).history_[-1]
        small = LSTMClassifier(**params).fit(X[:999], y[:999])
        assert "valid_loss" not in small.history_[-1]


class TestBooleanAndChangedHyperparameters:
    def test_numpy_true_enables_early_stopping(self, marker_data):
        """early_stopping=np.True_ (a grid built from a numpy array) holds out a
        validation part, as True does."""
        X, y = marker_data
        clf = LSTMClassifier(**{**FAST, "max_epochs": 2}, early_stopping=np.True_)
        assert "valid_score" in clf.fit(X, y).history_[-1]

    def test_warm_start_refuses_a_changed_architecture(self, marker_data):
        """A warm start after changing hidden_size and cell names both, instead of
        training the old network while get_params says otherwise."""
        X, y = marker_data
        clf = LSTMClassifier(**{**FAST, "max_epochs": 1}, warm_start=True).fit(X, y)
        clf.set_params(hidden_size=4, cell="gru")
        with pytest.raises(
            ValueError, match=r"cell \('lstm' -> 'gru'\), hidden_size \(16 -> 4\)"
        ):
            clf.fit(X, y)
        clf.set_params(hidden_size=16, cell="lstm", lr=0.001).fit(X, y)  # allowed
        assert clf.n_iter_ == 2
        with pytest.raises(ValueError, match="pooling"):
            clf.set_params(pooling="mean").partial_fit(X, y)

    def test_partial_fit_refuses_balanced_class_weight(self, marker_data):
        """class_weight='balanced' at partial_fit's first call is refused in
        sklstm's words, as SGDClassifier.partial_fit does."""
        X, y = marker_data
        clf = LSTMClassifier(**FAST, class_weight="balanced")
        with pytest.raises(ValueError, match="not supported by LSTMClassifier.partial"):
            clf.partial_fit(X[:5], y[:5], classes=np.unique(y))


class TestPredictChecksWhatItReads:
    @pytest.mark.parametrize(
        "params, error, match",
        [
            ({"precision": "16"}, ValueError, r"precision='16' is not supported"),
            ({"batch_size": 0}, ValueError, "batch_size == 0"),
            ({"batch_size": "big"}, TypeError, "not str. 'auto' is also accepted"),
            ({"device": "tpu"}, ValueError, "not a device sklstm runs on"),
        ],
    )
    def test_bad_value_set_after_fit(self, marker_data, params, error, match):
        """A hyperparameter that predict reads is checked there too."""
        X, y = marker_data
        clf = LSTMClassifier(**{**FAST, "max_epochs": 1}).fit(X[:40], y[:40])
        with pytest.raises(error, match=match):
            clf.set_params(**params).predict(X[:3])

    def test_predict_changes_nothing(self, marker_data):
        """Predicting with other settings than the fit's leaves the estimator's
        pickle byte for byte as it was, and predicts as the fit's settings do."""
        X, y = marker_data
        clf = LSTMClassifier(**{**FAST, "max_epochs": 2}).fit(X[:40], y[:40])
        expected = clf.predict_proba(X[:9])
        clf.set_params(device="cpu", batch_size=3, precision="bf16")
        before = pickle.dumps(clf)
        clf.predict(X[:9])
        proba = clf.predict_proba(X[:9])
        assert pickle.dumps(clf) == before
        np.testing.assert_allclose(proba, expected, atol=0.02)  # bf16 rounding


@pytest.fixture(scope="module")
def texts():
    """Short sentences labelled by whether they say "good"."""
    rng = np.random.RandomState(7)
    words = ["good", "bad", "film", "plot", "the"]
    X = [" ".join(rng.choice(words, size=rng.randint(1, 6))) for _ in range(60)]
    return X, ["pos" if "good" in x else "neg" for x in X]


class TestTextUsersHave:
    def test_empty_rows_fit_and_predict(self, texts):
        """Empty and blank strings are valid rows in fit and predict."""
        X, y = texts
        clf = LSTMClassifier(**{**FAST, "max_epochs": 2})
        clf.fit([*X, "", "  "], [*y, "neg", "pos"])
        assert clf.predict(["", "good"]).shape == (2,)

    def test_string_array_predicts_as_the_list(self, texts):
        """np.array(texts) fits and predicts as the list does."""
        X, y = texts
        clf = LSTMClassifier(**{**FAST, "max_epochs": 2}).fit(np.array(X), y)
        np.testing.assert_array_equal(
            clf.predict_proba(np.array(X[:5])), clf.predict_proba(X[:5])
        )

    def test_one_text_column_has_its_name_checked(self, texts):
        """df[["text"]] sets n_features_in_ and feature_names_in_ as scikit-learn
        does for any DataFrame, and predict checks the name."""
        pd = pytest.importorskip("pandas")
        X, y = texts
        clf = LSTMClassifier(**{**FAST, "max_epochs": 1})
        clf.fit(pd.DataFrame({"text": X}), y)
        assert clf.n_features_in_ == 1
        assert clf.feature_names_in_.tolist() == ["text"]
        clf.predict(pd.DataFrame({"text": X[:2]}))
        with pytest.raises(ValueError, match="feature names should match"):
            clf.predict(pd.DataFrame({"review": X[:2]}))
        clf.fit(X, y)  # a refit on a list forgets the name
        assert not hasattr(clf, "feature_names_in_")

    def test_string_table_is_refused_in_sklstm_terms(self, texts):
        """Text plus another column (what a ColumnTransformer may pass on) gets a
        message that says what is accepted, not numpy's conversion error."""
        pd = pytest.importorskip("pandas")
        X, y = texts
        frame = pd.DataFrame({"text": X, "source": ["web"] * len(X)})
        with pytest.raises(ValueError, match=r"Text goes in one column"):
            LSTMClassifier(**FAST).fit(frame, y)


class TestDefaultPathOnValidData:
    """From AUTO_VALIDATION_SIZE sequences on, the default holds out a part: it
    must not fail where a stratified split cannot be made."""

    def _data(self, labels):
        rng = np.random.RandomState(0)
        X = [list(rng.choice(["a", "b", "c"], size=3)) for _ in labels]
        return X, labels

    def test_single_member_class(self):
        """A class of one sequence: a warning naming it, and the fit goes on."""
        X, y = self._data(["common"] * 999 + ["rare"])
        clf = LSTMClassifier(**{**FAST, "max_epochs": 1})
        with pytest.warns(UserWarning, match=r"single sequence: \['rare'\]"):
            clf.fit(X, y)
        assert clf.classes_.tolist() == ["common", "rare"]

    def test_more_classes_than_the_held_out_part(self):
        """150 classes among 1,000 sequences: 100 held out cannot hold each."""
        X, y = self._data([f"c{i % 150}" for i in range(1000)])
        clf = LSTMClassifier(**{**FAST, "max_epochs": 1})
        with pytest.warns(UserWarning, match="150 classes do not fit in the 100"):
            clf.fit(X, y)

    def test_zero_weights_in_one_part(self, marker_data):
        """Sample weights zero on most sequences: no NaN loss whichever part the
        non-zero ones fall in; a zero-weight validation part is weighed equally,
        with a warning, and a zero-weight training part is refused clearly."""
        X, y = marker_data
        X, y = X[:20], y[:20]
        weight = np.zeros(20)
        weight[:2] = 1.0
        outcomes = set()
        for seed in range(6):
            reg = LSTMClassifier(
                **{**FAST, "max_epochs": 2, "random_state": seed},
                early_stopping=True,
                validation_fraction=0.5,
            )
            try:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    reg.fit(X, y, sample_weight=weight)
            except ValueError as error:
                assert "nothing to learn from" in str(error)
                outcomes.add("refused")
                continue
            assert np.isfinite(reg.history_[:, "valid_loss"]).all()
            assert np.isfinite(reg.history_[:, "train_loss"]).all()
            if any("weighed equally" in str(w.message) for w in caught):
                outcomes.add("warned")
        assert "warned" in outcomes
