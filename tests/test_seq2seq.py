"""LSTMSeq2Seq: learning known mappings, exact batched decoding, bad input."""

import itertools
import pickle

import numpy as np
import pytest
import torch

from sklstm import LSTMSeq2Seq
from sklstm.nn.seq2seq import END
from sklstm.sequence_targets import with_end

QUICK = {"hidden_size": 48, "lr": 0.01, "batch_size": 32, "random_state": 0}


def digit_strings(n, seed, max_length=8):
    rng = np.random.RandomState(seed)
    return [
        list(rng.choice(list("0123456789"), size=rng.randint(1, max_length + 1)))
        for _ in range(n)
    ]


@pytest.fixture(scope="module")
def reverser():
    """A model trained to reverse digit strings, and held-out strings."""
    X = digit_strings(2000, seed=0)
    model = LSTMSeq2Seq(
        hidden_size=64,
        lr=0.003,
        batch_size=16,
        bidirectional=False,
        dropout=0.0,
        max_epochs=25,
        early_stopping=False,
        tol=None,
        random_state=0,
    ).fit(X, [x[::-1] for x in X])
    return model, digit_strings(200, seed=1)


@pytest.fixture(scope="module")
def briefly_trained():
    """Models trained a little (outputs vary), with and without attention."""
    X = digit_strings(300, seed=2)
    y = [sorted(x) for x in X]
    return {
        attention: LSTMSeq2Seq(
            **{**QUICK, "hidden_size": 16},
            max_epochs=3,
            attention=attention,
            bidirectional=True,
            num_layers=2,
        ).fit(X, y)
        for attention in (None, "general")
    }


def test_learns_to_reverse_digit_strings(reverser):
    """A known answer learned to >= 0.95 exact-sequence accuracy on new strings."""
    model, X = reverser
    assert model.score(X, [x[::-1] for x in X]) >= 0.95
    assert model.classes_.tolist() == list("0123456789")


@pytest.mark.parametrize("beam_size", [1, 3])
@pytest.mark.parametrize("attention", [None, "general"])
def test_batched_decoding_equals_decoding_alone(briefly_trained, attention, beam_size):
    """Padding in the encoder's batch and finished neighbours change no output."""
    model = briefly_trained[attention].set_params(beam_size=beam_size)
    X = digit_strings(40, seed=3)
    batched = model.predict(X)
    alone = [model.predict([x])[0] for x in X]
    assert [b.tolist() for b in batched] == [a.tolist() for a in alone]
    proba = model.predict_proba(X[:10])
    for x, p in zip(X[:10], proba, strict=True):
        np.testing.assert_allclose(model.predict_proba([x])[0], p, atol=1e-5)


def reference_greedy(module, lengths, tokens, max_length):
    """Greedy decoding of one sequence by re-running the teacher-forced decoder
    over the whole prefix at every step (an independent path to the same answer)."""
    prefix = []
    for _ in range(max_length):
        targets = torch.tensor([[*prefix, END]])
        logits = module(lengths, tokens=tokens, targets=targets)[0, -1]
        logits[0] = float("-inf")
        symbol = int(logits.argmax())
        if symbol == END:
            break
        prefix.append(symbol)
    return prefix


@pytest.mark.parametrize("attention", [None, "general"])
def test_greedy_and_beam_of_one_match_a_reference(briefly_trained, attention):
    """Step-by-step greedy decoding, and beam search with one beam, equal greedy
    decoding recomputed from the teacher-forced forward pass."""
    model = briefly_trained[attention]
    module = model.net_.module_.eval()
    for x in digit_strings(15, seed=4):
        batch, _ = model._prepare([x]).batch(torch.tensor([0]))
        limit = torch.tensor([len(x) + 2])
        with torch.no_grad():
            expected = reference_greedy(module, batch["lengths"], batch["tokens"], 10)
            start = module.start(batch["lengths"], batch["tokens"])
            greedy, n = module._greedy_symbols(*start, limit)
            beam, m = module._beam_search(*start, limit, 1)
        assert greedy[0, : n[0]].tolist() == expected[: len(x) + 2]
        assert beam[0, : m[0]].tolist() == greedy[0, : n[0]].tolist()


def test_wide_beam_finds_the_most_likely_output(briefly_trained):
    """With a beam wider than the number of candidates, beam search returns the
    most likely output of all, found by scoring every one (at the length limit
    END is forced, at what END costs, so every path's score is its likelihood)."""
    model = briefly_trained["general"].set_params(beam_size=120, max_output_length=2)
    x = list("31")
    best = model.predict([x])[0].tolist()
    symbols = model.classes_.tolist()
    candidates = [[]] + [
        list(c) for n in (1, 2) for c in itertools.product(symbols, repeat=n)
    ]
    data = model._prepare([x] * len(candidates))
    encoded = [
        list(model.head_.transform([c]).values[:-1]) if c else [] for c in candidates
    ]
    targets = with_end(
        np.concatenate([np.asarray(c, dtype=np.int64) for c in encoded]),
        [len(c) for c in encoded],
    )
    log_proba = model._teacher_forced(data, targets)
    scores = []
    for c, lp in zip(encoded, log_proba, strict=True):
        path = [*c, END]
        step_scores = lp[torch.arange(len(path)), torch.tensor(path)]
        scores.append(float(step_scores.sum()))
    assert best == candidates[int(np.argmax(scores))]
    model.set_params(beam_size=1, max_output_length=None)


def test_log_likelihood_ranks_the_true_output_first(reverser):
    model, X = reverser
    x = X[0]
    true, wrong = x[::-1], x
    if true == wrong:
        wrong = [*x, "0"]
    scores = model.log_likelihood([x, x], [true, wrong])
    assert scores[0] > scores[1] and (scores < 0).all()


def test_predict_proba_matches_predict(reverser):
    model, X = reverser
    predicted, proba = model.predict(X[:20]), model.predict_proba(X[:20])
    for p, rows in zip(predicted, proba, strict=True):
        assert rows.shape == (len(p), len(model.classes_) + 1)
        np.testing.assert_allclose(rows.sum(axis=1), 1.0, atol=1e-6)
        assert model.classes_[rows[:, :-1].argmax(axis=1)].tolist() == p.tolist()


def test_padding_in_output_sequences_changes_no_loss(reverser):
    """A batch's loss is the per-step mean over its sequences computed one by one."""
    model, X = reverser
    X = X[:6]
    y = [x[::-1][: 1 + i % 3] for i, x in enumerate(X)]  # output lengths 1-3
    dataset = model._prepare(X).with_targets(model.head_.transform(y))
    net = model.net_
    net.module_.eval()
    with torch.no_grad():
        batch_X, batch_y = dataset.batch(torch.arange(6))
        loss = net.get_loss(net.infer(batch_X), batch_y).item()
        total, steps = 0.0, 0
        for i in range(6):
            one_X, one_y = dataset.batch(torch.tensor([i]))
            total += net.get_loss(net.infer(one_X), one_y).item() * one_y.numel()
            steps += one_y.numel()
    assert loss == pytest.approx(total / steps, rel=1e-5)


def test_numeric_continues_a_sine():
    """Real-valued outputs: the next 5 values of a sine of random phase."""
    rng = np.random.RandomState(0)
    phases = rng.uniform(0, 2 * np.pi, size=500)
    t = np.arange(25) * 0.4
    series = np.sin(phases[:, None] + t)
    X, y = list(series[:, :20]), list(series[:, 20:])
    model = LSTMSeq2Seq(**QUICK, max_epochs=30).fit(X[:400], y[:400])
    assert not hasattr(model, "classes_")
    assert not hasattr(model, "predict_proba")  # distributions are for symbols
    assert model.score(X[400:], y[400:]) >= 0.9
    predicted = model.predict(X[400:410])
    assert all(p.ndim == 1 for p in predicted)


def test_relative_outputs_follow_a_trend_beyond_training_levels():
    """relative="difference" continues ramps at levels never seen in training."""
    rng = np.random.RandomState(0)
    slopes = rng.uniform(0.5, 1.5, size=400)

    def ramps(offsets, slopes):
        return np.outer(slopes, np.arange(15)) + offsets[:, None]

    train = ramps(rng.uniform(0, 10, size=400), slopes)
    test = ramps(rng.uniform(100, 110, size=50), slopes[:50])
    model = LSTMSeq2Seq(**QUICK, max_epochs=30, relative="difference").fit(
        list(train[:, :12]), list(train[:, 12:])
    )
    predicted = np.array(model.predict(list(test[:, :12])))
    assert np.abs(predicted - test[:, 12:]).mean() < 1.0


def test_pickle_round_trip(reverser):
    model, X = reverser
    restored = pickle.loads(pickle.dumps(model))
    assert [p.tolist() for p in restored.predict(X[:30])] == [
        p.tolist() for p in model.predict(X[:30])
    ]


@pytest.mark.parametrize(
    ("y", "message"),
    [
        (5, "single value"),
        (["ab", "ba"], r"y\[0\] is 'ab'"),
        ([["a"], []], "empty output sequence"),
        ([["a"], [1]], "mixes integer symbols and string symbols"),
        # the first sequence picks the head; its fit checks all the others
        ([[0.5], ["a"]], "mixes string symbols and values"),
        ([[0.5], [1.0, np.nan]], "NaN"),
        ([["a", 1], ["b"]], "mixes kinds of steps"),
        ([[0.5, np.nan], [1.0]], "NaN"),
        ([["a"]], "X has 2 sequences but y has 1"),
    ],
)
def test_bad_y_is_refused_clearly(y, message):
    with pytest.raises(ValueError, match=message):
        LSTMSeq2Seq(max_epochs=1).fit([["x", "y"], ["z"]], y)


def test_unknown_symbols_and_kinds_at_scoring(reverser):
    model, _ = reverser
    with pytest.raises(ValueError, match="not seen in fit"):
        model.log_likelihood([["1"]], [["a"]])
    with pytest.raises(ValueError, match="fitted on symbols"):
        model.log_likelihood([["1"]], [[0.5]])
    for method in (model.score, model.log_likelihood):
        with pytest.raises(ValueError, match="X has 1 sequences but y has 2"):
            method([["1"]], [["1"], ["2"]])
    with pytest.raises(ValueError, match="beam_size"):
        LSTMSeq2Seq(beam_size=0).fit([["1"]], [["1"]])


def test_gru_text_input_and_partial_fit():
    """Raw strings in, a GRU encoder-decoder, and partial_fit continuing a fit."""
    X = ["one two", "two three", "three one", "one"] * 10
    y = [text.upper().split() for text in X]
    model = LSTMSeq2Seq(**QUICK, cell="gru", max_epochs=3).fit(X, y)
    epochs = model.n_iter_
    model.partial_fit(X, y)
    assert model.n_iter_ == epochs + 1
    assert all(set(p) <= {"ONE", "TWO", "THREE"} for p in model.predict(X[:4]))


def test_sample_weight_of_zero_ignores_a_mapping():
    """Sequences weighted 0 teach nothing: a mapping seen only with weight 0 is not
    learned, while the same data weighted 1 teaches it."""
    X = [["a"], ["b"]] * 40
    y = [["x"], ["y"]] * 40
    weight = np.tile([1.0, 0.0], 40)
    settings = {**QUICK, "max_epochs": 30, "early_stopping": False, "tol": None}
    weighted = LSTMSeq2Seq(**settings).fit(X, y, sample_weight=weight)
    plain = LSTMSeq2Seq(**settings).fit(X, y)
    assert plain.predict([["b"]])[0].tolist() == ["y"]
    assert weighted.predict([["b"]])[0].tolist() == ["x"]


@pytest.mark.parametrize(
    ("X", "y", "relative", "message"),
    [
        ([["a", "b"]], [[1.0]], "difference", r"is for numeric series; X\[0\]"),
        ([np.ones(3)], [np.ones((2, 2))], "difference", "as many values"),
        ([np.ones(3)], [["a"]], "difference", "is for real-valued outputs"),
        ([np.zeros(3)], [np.ones(2)], "log_ratio", "needs positive series"),
    ],
)
def test_bad_relative_input_is_refused_clearly(X, y, relative, message):
    with pytest.raises(ValueError, match=message):
        LSTMSeq2Seq(relative=relative, max_epochs=1).fit(X, y)


class TestRoundTwo:
    X = [list("abc"), list("ba"), list("cab")] * 4

    def test_two_dimensional_integer_outputs_are_refused(self):
        """(T, 2) integer output steps would be flattened into scrambled targets:
        refused, naming the shape and what to give instead."""
        y = [np.ones((2, 2), dtype=int)] * len(self.X)
        with pytest.raises(ValueError, match=r"y\[0\] has shape \(2, 2\).*1-D"):
            LSTMSeq2Seq(max_epochs=1).fit(self.X, y)

    @pytest.mark.parametrize(
        "params, match",
        [
            ({"beam_size": 0}, "beam_size == 0"),
            ({"beam_size": 2.5}, "beam_size must be an instance of"),
            ({"max_output_length": 0}, "max_output_length == 0"),
        ],
    )
    def test_decoding_settings_checked_at_predict(self, params, match):
        """Settings that decoding reads, changed after fit, are checked there."""
        y = [list(reversed(x)) for x in self.X]
        model = LSTMSeq2Seq(**QUICK, max_epochs=1).fit(self.X, y)
        with pytest.raises((ValueError, TypeError), match=match):
            model.set_params(**params).predict(self.X[:2])

    def test_refit_from_symbols_to_values_forgets_classes(self):
        """A refit on real values leaves no classes_ of the symbols before."""
        model = LSTMSeq2Seq(**QUICK, max_epochs=1)
        model.fit(self.X, [list(reversed(x)) for x in self.X])
        assert hasattr(model, "classes_")
        model.fit(self.X, [np.ones(2)] * len(self.X))
        assert not hasattr(model, "classes_")

    def test_values_come_back_shaped_as_y(self):
        """(T_out, 1) outputs in fit give (T_out, 1) predictions; (T_out,) give
        (T_out,)."""
        for shape in [(3, 1), (3,)]:
            y = [np.full(shape, float(len(x))) for x in self.X]
            model = LSTMSeq2Seq(**QUICK, max_epochs=1).fit(self.X, y)
            assert model.predict(self.X[:1])[0].shape == shape

    def test_usable_after_divergence(self):
        """After a FloatingPointError the estimator decodes with its weights."""
        y = [list(reversed(x)) for x in self.X]
        model = LSTMSeq2Seq(**{**QUICK, "lr": 1e8}, optimizer="sgd", max_epochs=3)
        with pytest.raises(FloatingPointError):
            model.fit(self.X, y)
        assert len(model.predict(self.X[:2])) == 2
