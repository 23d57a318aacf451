"""LSTMTagger: per-step labels, padding, ragged y in scikit-learn tools."""

import warnings

import numpy as np
import pytest
import torch
from conftest import FAST
from sklearn.metrics import classification_report
from sklearn.model_selection import GridSearchCV, cross_val_score

from sklstm import LSTMClassifier, LSTMTagger, flatten_tags


@pytest.fixture(scope="module")
def tagged():
    """Tag = the token's class (a noun, verb or other) — a known per-token answer."""
    rng = np.random.RandomState(5)
    classes = {f"n{i}": "NOUN" for i in range(8)} | {f"v{i}": "VERB" for i in range(8)}
    classes |= {f"x{i}": "X" for i in range(4)}
    words = list(classes)
    X = [list(rng.choice(words, size=rng.randint(1, 14))) for _ in range(260)]
    return X, [[classes[w] for w in seq] for seq in X]


@pytest.fixture(scope="module")
def fitted(tagged):
    X, y = tagged
    return LSTMTagger(**FAST, bidirectional=True).fit(X[:200], y[:200])


def test_learns_token_classes(fitted, tagged):
    """Held-out token accuracy on a task with a known answer is near perfect."""
    X, y = tagged
    assert fitted.score(X[200:], y[200:]) >= 0.98
    assert fitted.classes_.tolist() == ["NOUN", "VERB", "X"]


def test_outputs_one_per_step(fitted, tagged):
    """predict/predict_proba give one row per input step; rows are softmaxes."""
    X = tagged[0][:25]
    labels, proba = fitted.predict(X), fitted.predict_proba(X)
    assert [len(t) for t in labels] == [len(s) for s in X]
    assert [p.shape for p in proba] == [(len(s), 3) for s in X]
    for tags, p in zip(labels, proba, strict=True):
        np.testing.assert_allclose(p.sum(axis=1), 1.0)
        assert tags.tolist() == fitted.classes_[p.argmax(axis=1)].tolist()


@pytest.mark.parametrize("bidirectional", [False, True])
def test_padding_never_changes_per_step_outputs(tagged, bidirectional):
    """A sequence's per-step probabilities alone equal those in a padded batch."""
    X, y = tagged
    tagger = LSTMTagger(
        **{**FAST, "max_epochs": 2}, bidirectional=bidirectional, num_layers=2
    ).fit(X, y)
    short = min(X, key=len)
    batch = tagger.predict_proba([short, max(X, key=len), *X[:30]])[0]
    np.testing.assert_allclose(tagger.predict_proba([short])[0], batch, atol=1e-5)


def test_padding_does_not_enter_the_loss(fitted, tagged):
    """The training loss equals a per-token mean computed sequence by sequence."""
    X, y = tagged
    X, y = X[:40], y[:40]
    data = fitted._prepare(X)
    logits = fitted.net_.forward(data)
    targets = fitted.head_.transform(y, data.lengths.numpy())
    expected = torch.nn.functional.cross_entropy(logits, torch.as_tensor(targets))
    dataset = data.with_targets(targets, per_step=True)
    batch_X, batch_y = dataset.batch(torch.arange(40))
    fitted.net_.module_.eval()
    with torch.no_grad():
        loss = fitted.net_.get_loss(fitted.net_.infer(batch_X), batch_y)
    assert loss.item() == pytest.approx(expected.item(), abs=1e-5)


def test_numeric_sequences(tagged):
    """Each step of a numeric series can be labelled (here: its sign)."""
    rng = np.random.RandomState(6)
    X = [rng.normal(size=(rng.randint(2, 10), 1)) for _ in range(150)]
    y = [np.where(x[:, 0] > 0, "up", "down") for x in X]
    tagger = LSTMTagger(**FAST).fit(X, y)
    assert tagger.score(X, y) >= 0.95


def test_classification_report_on_flattened_tags(fitted, tagged):
    """flatten_tags turns ragged y into what scikit-learn's metrics take."""
    X, y = tagged
    report = classification_report(
        flatten_tags(y[200:]), flatten_tags(fitted.predict(X[200:]))
    )
    assert "NOUN" in report and "VERB" in report


def test_grid_search_and_cross_val_score(tagged):
    """GridSearchCV and cross_val_score work with ragged y (token accuracy)."""
    X, y = tagged
    quick = {**FAST, "max_epochs": 3}
    search = GridSearchCV(LSTMTagger(**quick), {"hidden_size": [4, 8]}, cv=2).fit(X, y)
    assert 0 <= search.best_score_ <= 1
    assert cross_val_score(LSTMTagger(**quick), X, y, cv=2).shape == (2,)


class TestErrors:
    def test_tag_sequence_length(self):
        """A label sequence of the wrong length names the sequence and both counts."""
        with pytest.raises(ValueError, match=r"y\[1\] has 1 labels but X\[1\] has 2"):
            LSTMTagger().fit([["a"], ["b", "c"]], [["A"], ["B"]])

    @pytest.mark.parametrize("y", [["A", "B"], np.array([0, 1]), None])
    def test_y_not_sequences(self, y):
        """y must be a list of label sequences."""
        with pytest.raises(ValueError, match="list of label sequences|y is None"):
            LSTMTagger().fit([["a"], ["b"]], y)

    def test_unknown_labels_at_continuation(self, tagged):
        """warm_start does not silently grow the label set."""
        X, y = tagged
        tagger = LSTMTagger(**{**FAST, "max_epochs": 1}, warm_start=True).fit(X, y)
        with pytest.raises(ValueError, match="labels not seen in fit"):
            tagger.fit([["n1"]], [["ADJ"]])


def test_character_level_tags_unseen_words():
    """With char_embedding_dim, words never seen in training are tagged by spelling.

    Tags follow the suffix (-ing VERB, -ness NOUN, -ly ADV); the test words are all
    new, so a words-only tagger sees nothing but the unknown token.
    """
    rng = np.random.RandomState(7)
    stems = ["".join(rng.choice(list("bcdfgklmnprstvz"), size=4)) for _ in range(120)]
    suffixes = {"ing": "VERB", "ness": "NOUN", "ly": "ADV"}

    def sentences(stems):
        X, y = [], []
        for _ in range(300):
            words = [
                (s, suffix)
                for s, suffix in zip(
                    rng.choice(stems, 6), rng.choice(list(suffixes), 6), strict=True
                )
            ]
            X.append([s + suffix for s, suffix in words])
            y.append([suffixes[suffix] for _, suffix in words])
        return X, y

    X_train, y_train = sentences(stems[:80])
    X_new, y_new = sentences(stems[80:])
    params = {**FAST, "max_epochs": 8}
    chars = LSTMTagger(**{**params, "char_embedding_dim": 16}).fit(X_train, y_train)
    words = LSTMTagger(**params).fit(X_train, y_train)
    assert chars.score(X_new, y_new) >= 0.95
    assert words.score(X_new, y_new) < 0.6


def test_characters_auto_for_tagged_words(tagged):
    """char_embedding_dim="auto" reads the characters of a tagger's words, and
    not those of single letters or of a classifier's words."""
    X, y = tagged
    settings = {**FAST, "max_epochs": 1, "char_embedding_dim": "auto"}
    words = LSTMTagger(**settings).fit(X[:50], y[:50])
    assert words.net_.module_.chars is not None
    letters = [[w[0] for w in seq] for seq in X[:50]]
    assert LSTMTagger(**settings).fit(letters, y[:50]).net_.module_.chars is None
    labels = [seq[0] for seq in y[:50]]
    classifier = LSTMClassifier(**settings).fit(X[:50], labels)
    assert classifier.net_.module_.chars is None


def test_character_level_needs_string_tokens():
    """char_embedding_dim on integer tokens or numbers is a clear error."""
    with pytest.raises(
        ValueError,
        match="characters of string tokens, but X holds "
        "tokens sequences of integer tokens",
    ):
        LSTMTagger(char_embedding_dim=8).fit([[1, 2]], [["A", "B"]])
    with pytest.raises(ValueError, match="but X holds numeric sequences"):
        LSTMTagger(char_embedding_dim=8).fit([[0.5, 1.5]], [["A", "B"]])


def test_predict_log_proba_from_logits(fitted, tagged):
    """Per-step log-probabilities are log_softmax of the logits, one array per
    sequence, and equal log(predict_proba) where that is finite."""
    X = tagged[0][200:]
    log_proba = fitted.predict_log_proba(X)
    assert [len(p) for p in log_proba] == [len(x) for x in X]
    for logs, proba in zip(log_proba, fitted.predict_proba(X), strict=True):
        np.testing.assert_allclose(logs, np.log(proba), rtol=1e-10)


def test_token_type_checked_at_predict(fitted):
    """Integer tokens for a tagger fitted on strings are an error, not all-unknown."""
    with pytest.raises(
        ValueError,
        match="X holds integer tokens, but the estimator was fitted on string tokens",
    ):
        fitted.predict([[1, 2, 3]])


def test_token_type_checked_with_characters(tagged):
    """With characters on, a token type mismatch is the same clear error."""
    X, y = tagged
    tagger = LSTMTagger(**{**FAST, "max_epochs": 1, "char_embedding_dim": 4}).fit(X, y)
    with pytest.raises(ValueError, match="X holds integer tokens"):
        tagger.predict([[1, 2]])


class TestRoundTwo:
    def test_missing_tags_are_refused(self):
        """None or NaN among tags is refused (not sorted into a TypeError, nor read
        as a tag 'nan')."""
        X = [["a", "b"], ["c"]]
        for y in ([["N", None], ["V"]], [["N", np.nan], ["V"]]):
            with pytest.raises(ValueError, match="missing label"):
                LSTMTagger(**FAST).fit(X, y)

    def test_characters_of_empty_tokens(self):
        """A sentence of empty-string tokens, read with characters, fits and
        predicts (its words have no characters to convolve)."""
        X = [[""], ["the", "dog"], ["a", ""]] * 4
        y = [["X"], ["DET", "NOUN"], ["DET", "X"]] * 4
        tagger = LSTMTagger(**{**FAST, "char_embedding_dim": 8, "max_epochs": 1})
        assert tagger.fit(X, y).predict([[""]])[0].shape == (1,)


def test_token_scorers_in_model_selection(tagged):
    """sklstm.metrics' scorers give cross_val_score and GridSearchCV token-level
    figures (scoring="f1_macro" gives NaN on label sequences), equal to the metric
    on the flattened tags."""
    from sklearn.metrics import f1_score
    from sklearn.model_selection import KFold

    from sklstm.metrics import token_accuracy, token_f1_macro

    X, y = tagged
    tagger = LSTMTagger(**{**FAST, "max_epochs": 2})
    folds = KFold(2)
    scores = cross_val_score(tagger, X, y, cv=folds, scoring=token_f1_macro)
    assert np.isfinite(scores).all()
    train, test = next(folds.split(X))
    fitted = LSTMTagger(**{**FAST, "max_epochs": 2}).fit(
        [X[i] for i in train], [y[i] for i in train]
    )
    held_out = [X[i] for i in test]
    expected = f1_score(
        flatten_tags([y[i] for i in test]),
        flatten_tags(fitted.predict(held_out)),
        average="macro",
    )
    assert scores[0] == pytest.approx(expected)
    search = GridSearchCV(tagger, {"hidden_size": [8]}, cv=2, scoring=token_accuracy)
    assert 0 <= search.fit(X, y).best_score_ <= 1


def next_token_task(n, seed):
    """Random 12-token sentences over 5 words: the next token cannot be guessed
    from the ones before it (chance is 0.2)."""
    rng = np.random.RandomState(seed)
    sentences = [list(rng.choice(list("abcde"), 12)) for _ in range(n)]
    return [s[:-1] for s in sentences], [s[1:] for s in sentences]


def test_a_tagger_reading_both_directions_sees_the_next_token_and_is_warned():
    """With labels that are the next tokens, both directions "predict" unseen
    random text (the backward direction reads the label), one direction cannot;
    fit warns about the first and not the second."""
    X, y = next_token_task(300, 0)
    X_new, y_new = next_token_task(100, 1)
    settings = {"hidden_size": 16, "max_epochs": 40, "lr": 0.03, "random_state": 0}
    with pytest.warns(UserWarning, match="set bidirectional=False"):
        both = LSTMTagger(**settings, tol=None).fit(X, y)
    assert both.bidirectional_ is True
    assert both.score(X_new, y_new) > 0.9  # the leak
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*shifted by one step")
        causal = LSTMTagger(**settings, bidirectional=False).fit(X, y)
    assert causal.score(X_new, y_new) < 0.3


def test_ordinary_tags_are_not_taken_for_next_tokens(tagged):
    X, y = tagged
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*shifted by one step")
        LSTMTagger(**FAST).fit(X, y)
