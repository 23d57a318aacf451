"""Exported models: the ONNX file alone predicts as the estimator does, torch-free."""

import json
import subprocess
import sys

import numpy as np
import pytest
from conftest import FAST

from sklstm import (
    LSTMClassifier,
    LSTMMultiLabel,
    LSTMRegressor,
    LSTMSeq2Seq,
    LSTMTagger,
)
from sklstm.data import InputEncoder

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")
from sklstm.onnx import export, exporter, load  # noqa: E402

ONE_EPOCH = {**FAST, "max_epochs": 1}
rng = np.random.RandomState(3)
LETTERS = list("abcdefgh")
#: training words: exactness needs a network, not a good one
WORDS = [list(rng.choice(LETTERS, size=n)) for n in rng.randint(1, 12, size=40)]
#: a ragged batch of lengths 1 to 200, with a letter never seen in training
LENGTHS = [1, 200, *range(2, 200, 7)]
RAGGED = [list(rng.choice([*LETTERS, "z"], size=n)) for n in LENGTHS]
SERIES = [rng.normal(size=(n, 2)) for n in rng.randint(1, 40, size=40)]
RAGGED_SERIES = [rng.normal(size=(n, 2)) for n in LENGTHS]


def _round_trip(estimator, tmp_path):
    path = tmp_path / "model.onnx"
    export(estimator, path)
    return load(path, batch_size=8)  # several batches of unequal padding


def _assert_same_arrays(actual, expected, rtol=0, atol=1e-5):
    if isinstance(expected, list):
        assert len(actual) == len(expected)
        for a, e in zip(actual, expected, strict=True):
            np.testing.assert_allclose(a, e, rtol=rtol, atol=atol)
    else:
        np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


CLASSIFIERS = {
    f"{cell} {pooling} {'bi' if bi else 'uni'}": {
        "cell": cell,
        "pooling": pooling,
        "bidirectional": bi,
    }
    for cell in ("lstm", "gru")
    for pooling in ("last", "mean", "max", "attention")
    for bi in (True, False)
    if bi or pooling == "last"
}


@pytest.mark.parametrize("settings", CLASSIFIERS.values(), ids=CLASSIFIERS)
def test_classifier_matches_estimator(settings, tmp_path):
    """Probabilities to 1e-5 and labels equal, for every pooling and cell, with
    characters on and a 2-layer stack, on lengths 1 to 200."""
    y = [int("a" in w) for w in WORDS]
    clf = LSTMClassifier(
        **{**ONE_EPOCH, "char_embedding_dim": 4}, **settings, num_layers=2
    ).fit(WORDS, y)
    predictor = _round_trip(clf, tmp_path)
    _assert_same_arrays(predictor.predict_proba(RAGGED), clf.predict_proba(RAGGED))
    _assert_same_arrays(
        predictor.predict_log_proba(RAGGED), clf.predict_log_proba(RAGGED)
    )
    np.testing.assert_array_equal(predictor.predict(RAGGED), clf.predict(RAGGED))


def test_tagger_matches_estimator(tmp_path):
    tags = [[letter.upper() for letter in w] for w in WORDS]
    tagger = LSTMTagger(
        **{**ONE_EPOCH, "char_embedding_dim": 4}, bidirectional=True, lowercase=True
    ).fit(WORDS, tags)
    predictor = _round_trip(tagger, tmp_path)
    _assert_same_arrays(predictor.predict_proba(RAGGED), tagger.predict_proba(RAGGED))
    for a, e in zip(predictor.predict(RAGGED), tagger.predict(RAGGED), strict=True):
        np.testing.assert_array_equal(a, e)


TAGS = [[letter.upper() for letter in w] for w in WORDS]
#: the four estimators whose network exports with either exporter
EXPORTERS = {
    "classifier, 2 GRU layers, attention": (
        LSTMClassifier,
        {"cell": "gru", "pooling": "attention", "num_layers": 2},
        WORDS,
        [int("a" in w) for w in WORDS],
    ),
    "tagger, characters": (LSTMTagger, {"char_embedding_dim": 4}, WORDS, TAGS),
    "multi-label": (LSTMMultiLabel, {}, WORDS, [set(w[:2]) for w in WORDS]),
    "regressor, convolutions, patches": (
        LSTMRegressor,
        {"conv_filters": (4, 6, 5), "patch_size": 3},
        SERIES,
        [x.sum() for x in SERIES],
    ),
}


def _opset(path):
    import onnx

    return onnx.load(path).opset_import[0].version


@pytest.mark.parametrize("Estimator, settings, X, y", EXPORTERS.values(), ids=EXPORTERS)
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
def test_both_exporters_match_the_estimator(
    Estimator, settings, X, y, bidirectional, tmp_path
):
    """torch's dynamo exporter (the default) and its TorchScript exporter (the
    fallback) both write a file that predicts as the estimator does on lengths 1
    to 200, from an example of 3 steps: neither fixes the length axis, through
    both directions' within-length reversal."""
    pytest.importorskip("onnxscript")
    if exporter.register_lstm_while_loop_decomposition is None:
        pytest.skip("this torch's dynamo exporter fixes an LSTM's length axis")
    estimator = Estimator(**{**ONE_EPOCH, **settings}, bidirectional=bidirectional)
    estimator.fit(X, y)
    new = RAGGED_SERIES if X is SERIES else RAGGED
    method = "predict" if Estimator is LSTMRegressor else "predict_proba"
    expected = getattr(estimator, method)(new)
    for dynamo, opset in [(True, 18), (False, 17)]:
        path = tmp_path / f"dynamo={dynamo}.onnx"
        export(estimator, path, dynamo=dynamo)
        assert _opset(path) == opset  # each exporter's own
        predicted = getattr(load(path, batch_size=8), method)(new)
        _assert_same_arrays(predicted, expected, rtol=1e-5)


def test_auto_exports_with_dynamo_except_an_encoder_decoder(tmp_path):
    """ "auto" is the dynamo exporter (opset 18) where it writes the network, the
    TorchScript one (opset 17) for an encoder-decoder; another value is refused."""
    pytest.importorskip("onnxscript")
    if exporter.register_lstm_while_loop_decomposition is None:
        pytest.skip("this torch's dynamo exporter fixes an LSTM's length axis")
    clf = LSTMClassifier(**ONE_EPOCH).fit(WORDS, [int("a" in w) for w in WORDS])
    export(clf, tmp_path / "clf.onnx")
    assert _opset(tmp_path / "clf.onnx") == 18
    seq2seq = LSTMSeq2Seq(**ONE_EPOCH).fit(WORDS, WORDS)
    export(seq2seq, tmp_path / "seq2seq.onnx")
    assert _opset(tmp_path / "seq2seq.onnx") == 17
    with pytest.raises(ValueError, match="must be True, False or .auto.; got 'yes'"):
        export(clf, tmp_path / "clf.onnx", dynamo="yes")


def test_an_export_prints_nothing(tmp_path):
    """In a fresh process (torch builds its table of ONNX translations on the
    first export), export writes nothing to stdout or stderr."""
    pytest.importorskip("onnxscript")
    script = f"""
from sklstm import LSTMClassifier
from sklstm.onnx import export
clf = LSTMClassifier(hidden_size=4, max_epochs=1, random_state=0)
clf.fit([["a", "b"], ["b"], ["a"], ["b", "b"]], [0, 1, 0, 1])
export(clf, {str(tmp_path / "model.onnx")!r})
"""
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert (run.stdout, run.stderr) == ("", "")
    assert (tmp_path / "model.onnx").exists()


def test_a_fixed_axis_is_refused():
    """A graph whose length axis has a size (dim_value) instead of a name
    (dim_param) is what the dynamo exporter's check refuses."""
    from onnx import TensorProto, helper

    from sklstm.onnx.exporter import _check_free_axes

    def graph(steps):
        shape = ["batch", steps]
        tokens = helper.make_tensor_value_info("tokens", TensorProto.INT64, shape)
        out = helper.make_tensor_value_info("out", TensorProto.INT64, shape)
        node = helper.make_node("Identity", ["tokens"], ["out"])
        return helper.make_model(helper.make_graph([node], "g", [tokens], [out]))

    axes = {"tokens": {0: "batch", 1: "steps"}}
    _check_free_axes(graph("steps"), axes)
    with pytest.raises(ValueError, match="fixed the 'steps' axis of input 'tokens'"):
        _check_free_axes(graph(3), axes)


@pytest.mark.parametrize("form", ["sets", "indicator"])
def test_multilabel_matches_estimator(form, tmp_path):
    """Probabilities, and label sets in the form of y in fit, per-label threshold."""
    sets = [{letter for letter in "abc" if letter in w} for w in WORDS]
    y = sets if form == "sets" else [[int(c in s) for c in "abc"] for s in sets]
    clf = LSTMMultiLabel(**ONE_EPOCH, threshold=[0.3, 0.5, 0.6]).fit(WORDS, y)
    predictor = _round_trip(clf, tmp_path)
    _assert_same_arrays(predictor.predict_proba(RAGGED), clf.predict_proba(RAGGED))
    predicted, expected = predictor.predict(RAGGED), clf.predict(RAGGED)
    if form == "sets":
        assert predicted == expected
    else:
        np.testing.assert_array_equal(predicted, expected)


@pytest.mark.parametrize("standardize", [True, "per_series"])
@pytest.mark.parametrize("conv_filters", [None, (4, 6, 5)], ids=["lstm", "lstm-fcn"])
@pytest.mark.parametrize("patch_size", [1, 4])
def test_regressor_matches_estimator(patch_size, conv_filters, standardize, tmp_path):
    """Numeric series, 2 targets, read step by step or in patches (a last partial
    patch included), with or without the convolutional branch, scaled over all
    steps or per series."""
    y = np.array([[x.sum(), len(x)] for x in SERIES])
    reg = LSTMRegressor(
        **ONE_EPOCH,
        cell="gru",
        bidirectional=True,
        patch_size=patch_size,
        conv_filters=conv_filters,
        standardize=standardize,
    ).fit(SERIES, y)
    predictor = _round_trip(reg, tmp_path)
    _assert_same_arrays(
        predictor.predict(RAGGED_SERIES), reg.predict(RAGGED_SERIES), rtol=1e-5
    )


def test_text_and_tables_read_as_the_estimator_reads_them(tmp_path):
    """Raw strings with a regex tokenizer and lowercasing; a 2-D table's columns."""
    texts = ["Good film", "bad plot!", "GOOD", "Bad, bad film"] * 5
    clf = LSTMClassifier(**ONE_EPOCH, tokenizer=r"\w+", lowercase=True)
    clf.fit(texts, [1, 0, 1, 0] * 5)
    new = ["good PLOT", "a bad, bad, bad film!"]
    _assert_same_arrays(
        _round_trip(clf, tmp_path).predict_proba(new), clf.predict_proba(new)
    )
    table = rng.normal(size=(30, 6))
    reg = LSTMRegressor(**ONE_EPOCH).fit(table, table.sum(axis=1))
    _assert_same_arrays(
        _round_trip(reg, tmp_path).predict(table), reg.predict(table), rtol=1e-5
    )


def test_metadata_round_trip(tmp_path):
    """The file keeps the input encoder's state, the classes with their dtype,
    and the threshold."""
    y = [{letter for letter in "ab" if letter in w} for w in WORDS]
    clf = LSTMMultiLabel(**{**ONE_EPOCH, "char_embedding_dim": 4}, threshold=0.4).fit(
        WORDS, y
    )
    predictor = _round_trip(clf, tmp_path)
    state = clf.input_encoder_.export_state()
    assert predictor.metadata["input"] == json.loads(json.dumps(state))
    assert InputEncoder.from_state(state).export_state() == state
    assert predictor.input_encoder.vocabulary_.index == clf.vocabulary_
    np.testing.assert_array_equal(predictor.classes_, clf.classes_)
    assert predictor.classes_.dtype == clf.classes_.dtype
    assert predictor.metadata["output"]["threshold"] == 0.4
    assert predictor.metadata["estimator"] == "LSTMMultiLabel"


def test_integer_tokens_and_labels_keep_their_types(tmp_path):
    X = [[int(i) for i in rng.randint(0, 30, size=n)] for n in rng.randint(1, 9, 30)]
    y = np.array([x[0] % 3 for x in X])
    clf = LSTMClassifier(**ONE_EPOCH).fit(X, y)
    predicted = _round_trip(clf, tmp_path).predict(X)
    assert predicted.dtype == clf.classes_.dtype
    np.testing.assert_array_equal(predicted, clf.predict(X))


#: reversing letter strings: a task a small encoder-decoder learns in seconds,
#: so the decoded outputs are of many lengths, not all empty
REVERSE_X = [list(rng.choice(LETTERS, size=n)) for n in rng.randint(1, 9, size=60)]
REVERSE_Y = [x[::-1] for x in REVERSE_X]
#: inputs of lengths 1 to 40 (longer than any seen in fit), with an unseen letter
RAGGED_SHORT = [
    list(rng.choice([*LETTERS, "z"], size=n)) for n in [1, 40, *range(2, 30)]
]
SEQ2SEQ = {
    "lstm, bidirectional, general attention, greedy": {},
    "beam of 3": {"beam_size": 3},
    "no attention, beam of 2": {"attention": None, "beam_size": 2},
    "gru, dot attention, directions summed": {
        "cell": "gru",
        "attention": "dot",
        "bidirectional_merge": "sum",
    },
    "2 layers, one direction": {"num_layers": 2, "bidirectional": False},
}


@pytest.mark.parametrize("settings", SEQ2SEQ.values(), ids=SEQ2SEQ)
def test_seq2seq_symbols_match_estimator(settings, tmp_path):
    """Decoded symbols equal (greedy and beam search, over several batches of
    ragged inputs); per-step probabilities and log-likelihoods to 1e-5."""
    model = LSTMSeq2Seq(**{**FAST, "max_epochs": 25, "lr": 0.02}, **settings)
    model.fit(REVERSE_X, REVERSE_Y)
    predictor = _round_trip(model, tmp_path)
    expected = model.predict(RAGGED_SHORT)
    assert sum(map(len, expected)) > len(expected)  # outputs worth comparing
    predicted = predictor.predict(RAGGED_SHORT)
    assert len(predicted) == len(expected)
    for a, e in zip(predicted, expected, strict=True):
        np.testing.assert_array_equal(a, e)
    _assert_same_arrays(
        predictor.predict_proba(RAGGED_SHORT), model.predict_proba(RAGGED_SHORT)
    )
    _assert_same_arrays(
        predictor.log_likelihood(REVERSE_X[:20], REVERSE_Y[:20]),
        model.log_likelihood(REVERSE_X[:20], REVERSE_Y[:20]),
    )
    if model.beam_size > 1:  # what matched was a beam search's, not greedy's
        greedy = model.set_params(beam_size=1).predict(RAGGED_SHORT)
        assert any(
            len(g) != len(e) or (g != e).any()
            for g, e in zip(greedy, expected, strict=True)
        )


SERIES_Y = [x[-3:, 0][::-1].copy() for x in SERIES]  # a horizon of 3 steps
VALUES = {
    "a horizon": ({}, SERIES_Y),
    "relative, a horizon of 2 values per step": (
        {"relative": "difference"},
        [x[-3:][::-1] + 1.0 for x in SERIES],
    ),
    "lengths ended by the decoder": ({}, [x[: len(x) % 4 + 1, 1] for x in SERIES]),
    "at most 2 steps": (
        {"max_output_length": 2},
        [x[: len(x) % 4 + 1, 1] for x in SERIES],
    ),
}


@pytest.mark.parametrize("settings, y", VALUES.values(), ids=VALUES)
def test_seq2seq_values_match_estimator(settings, y, tmp_path):
    """Real-valued outputs fed back step by step: the same lengths, values to
    1e-5, shaped as y was."""
    model = LSTMSeq2Seq(**FAST, **settings).fit(SERIES, y)
    expected = model.predict(RAGGED_SERIES)
    predicted = _round_trip(model, tmp_path).predict(RAGGED_SERIES)
    assert [a.shape for a in predicted] == [e.shape for e in expected]
    _assert_same_arrays(predicted, expected)


TORCH_FREE = """
import json, sys

class Blocked:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"torch", "skorch", "sklearn", "scipy"}:
            raise ImportError(f"{name} is blocked")

sys.meta_path.insert(0, Blocked())
from sklstm.onnx import load

predictor = load(sys.argv[1])
predicted = predictor.predict(json.loads(sys.argv[2]))
if isinstance(predicted, list):  # output sequences
    predicted = [sequence.tolist() for sequence in predicted]
print(json.dumps(predicted if isinstance(predicted, list) else predicted.tolist()))
assert not {"torch", "skorch", "sklearn", "scipy"} & set(sys.modules)
"""


def _torch_free_classifier():
    texts = ["good film", "bad plot", "good", "bad bad film"] * 5
    return LSTMClassifier(**ONE_EPOCH).fit(texts, ["pos", "neg", "pos", "neg"] * 5)


def _torch_free_seq2seq():
    return LSTMSeq2Seq(**{**FAST, "max_epochs": 25, "lr": 0.02}, beam_size=2).fit(
        REVERSE_X, REVERSE_Y
    )


@pytest.mark.parametrize("fit", [_torch_free_classifier, _torch_free_seq2seq])
def test_predictor_runs_without_torch_sklearn_or_scipy(fit, tmp_path):
    estimator = fit()
    export(estimator, tmp_path / "model.onnx")
    new = ["good plot", "bad", "film film good", "abc", "hgfedcba"]
    result = subprocess.run(
        [sys.executable, "-c", TORCH_FREE, tmp_path / "model.onnx", json.dumps(new)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    expected = [np.asarray(p).tolist() for p in estimator.predict(new)]
    assert json.loads(result.stdout) == expected


def _message(call):
    with pytest.raises(Exception) as info:
        call()
    return type(info.value), str(info.value)


@pytest.mark.parametrize(
    "X",
    [
        [np.ones(3)],  # numeric to a token model
        [[1, 2]],  # integer tokens to a string-token model
        [[]],  # an empty sequence
        "good film",  # one string, not a list of them
        [["good", None]],
        [],
    ],
    ids=["numeric", "integers", "empty sequence", "one string", "None", "empty"],
)
def test_bad_input_gets_the_estimators_message(X, tmp_path):
    clf = LSTMClassifier(**ONE_EPOCH).fit(WORDS, [int("a" in w) for w in WORDS])
    predictor = _round_trip(clf, tmp_path)
    assert _message(lambda: predictor.predict(X)) == _message(lambda: clf.predict(X))


def test_refusals(tmp_path):
    """What cannot be exported or loaded says why."""
    y = [int("a" in w) for w in WORDS]
    with pytest.raises(ValueError, match="tokenizer=.* is a callable"):
        export(
            LSTMClassifier(**ONE_EPOCH, tokenizer=str.split).fit(
                [" ".join(w) for w in WORDS], y
            ),
            tmp_path / "m.onnx",
        )
    seq2seq = LSTMSeq2Seq(**ONE_EPOCH).fit(WORDS, WORDS)
    with pytest.raises(ValueError, match="LSTMSeq2Seq exports with dynamo=False"):
        export(seq2seq, tmp_path / "m.onnx", dynamo=True)
    with pytest.raises(AttributeError, match="LSTMSeq2Seq has no predict_log_proba"):
        _round_trip(seq2seq, tmp_path).predict_log_proba(WORDS)
    with pytest.raises(ValueError, match=r"y\[1\] contains symbols not seen in fit"):
        _round_trip(seq2seq, tmp_path).log_likelihood(WORDS[:2], [["a"], ["z"]])
    with pytest.raises(ValueError, match=r"y\[0\] is not a non-empty sequence"):
        _round_trip(seq2seq, tmp_path).log_likelihood(WORDS[:1], [[]])
    with pytest.raises(ValueError, match="y has 1 output sequences; X has 2"):
        _round_trip(seq2seq, tmp_path).log_likelihood(WORDS[:2], [["a"]])
    with pytest.raises(Exception, match="not fitted"):
        export(LSTMClassifier(), tmp_path / "m.onnx")
    with pytest.raises(TypeError, match="takes a fitted sklstm estimator; got a dict"):
        export({}, tmp_path / "m.onnx")
    reg = LSTMRegressor(**ONE_EPOCH).fit(SERIES, [len(x) for x in SERIES])
    with pytest.raises(AttributeError, match="LSTMRegressor has no predict_proba"):
        _round_trip(reg, tmp_path).predict_proba(SERIES)


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"batch_size": 0}, "batch_size=0 is not supported; expected an integer >= 1"),
        ({"batch_size": 2.5}, "batch_size=2.5 is not supported"),
        ({"batch_size": True}, "batch_size=True is not supported"),
        ({"n_threads": 0}, "n_threads=0 is not supported; expected an integer >= 1"),
        ({"n_threads": "2"}, "n_threads='2' is not supported"),
    ],
)
def test_load_refuses_bad_settings(settings, message, tmp_path):
    clf = LSTMClassifier(**ONE_EPOCH).fit(WORDS, [int("a" in w) for w in WORDS])
    export(clf, tmp_path / "model.onnx")
    with pytest.raises(ValueError, match=message):
        load(tmp_path / "model.onnx", **settings)


def test_a_foreign_onnx_file_is_refused(tmp_path):
    import onnx

    graph = onnx.helper.make_graph(
        [onnx.helper.make_node("Identity", ["x"], ["y"])],
        "identity",
        [onnx.helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1])],
        [onnx.helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1])],
    )
    model = onnx.helper.make_model(
        graph, ir_version=8, opset_imports=[onnx.helper.make_opsetid("", 17)]
    )
    onnx.save_model(model, tmp_path / "other.onnx")
    with pytest.raises(ValueError, match="without sklstm metadata"):
        load(tmp_path / "other.onnx")


def test_dataframe_column_names_are_checked(tmp_path):
    """Columns in another order are refused, as the estimator refuses them, not
    read silently as other time steps."""
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(rng.normal(size=(40, 3)), columns=["t0", "t1", "t2"])
    reg = LSTMRegressor(**ONE_EPOCH).fit(frame, rng.normal(size=40))
    predictor = _round_trip(reg, tmp_path)
    _assert_same_arrays(predictor.predict(frame), reg.predict(frame))
    swapped = frame[["t1", "t0", "t2"]]
    for model in (reg, predictor):
        with pytest.raises(ValueError, match="feature names should match"):
            model.predict(swapped)


def test_empty_texts(tmp_path):
    """Empty strings predict as the estimator predicts them."""
    texts = ["good film", "bad", "", "good"] * 5
    clf = LSTMClassifier(**ONE_EPOCH).fit(texts, ["a", "b", "b", "a"] * 5)
    predictor = _round_trip(clf, tmp_path)
    X = ["", " ", "good"]
    _assert_same_arrays(predictor.predict_proba(X), clf.predict_proba(X))
