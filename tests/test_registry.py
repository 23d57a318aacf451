"""The public estimators are listed once, in ``sklstm.__all__``; every other list
of them (docs, skops' trusted types, the estimator checks, ONNX export) follows it,
so that adding an estimator to the package and forgetting one of these fails here."""

import pathlib

from conftest import ESTIMATORS
from test_estimator_checks import EXPECTED_FAILURES

import sklstm.heads
from sklstm.heads import OutputSequenceHead, SymbolSequenceHead, ValueSequenceHead
from sklstm.onnx.predictor import HEAD_TWINS
from sklstm.persistence import SKOPS_TRUSTED_TYPES

API_PAGE = pathlib.Path(__file__).parents[1] / "docs" / "api.rst"


def _path(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


def test_the_list_holds_the_five_estimators():
    """So that the tests below cannot pass on an empty list."""
    assert [e.__name__ for e in ESTIMATORS] == [
        "LSTMClassifier",
        "LSTMMultiLabel",
        "LSTMRegressor",
        "LSTMSeq2Seq",
        "LSTMTagger",
    ]


def test_api_page_lists_each_estimator():
    listed = API_PAGE.read_text()
    assert all(f"\n   {e.__name__}\n" in listed for e in ESTIMATORS)


def _fitted_heads(estimator):
    """The heads a fit may give the estimator: its own, or those it chooses
    among by y (the encoder-decoder's symbols or values)."""
    return [
        head
        for head in vars(sklstm.heads).values()
        if isinstance(head, type)
        and issubclass(head, estimator._head)
        and head.loss is not None
    ]


def test_skops_trusts_each_estimator_and_its_heads():
    for estimator in ESTIMATORS:
        assert _path(estimator) in SKOPS_TRUSTED_TYPES
        assert _fitted_heads(estimator)
        for head in _fitted_heads(estimator):
            assert _path(head) in SKOPS_TRUSTED_TYPES


def test_estimator_checks_cover_each_estimator():
    assert set(EXPECTED_FAILURES) == set(ESTIMATORS)


def _kinds(estimator):
    """The export kinds of the heads an estimator may fit: its own, or those an
    encoder-decoder's targets choose between."""
    if estimator._head is OutputSequenceHead:
        return {SymbolSequenceHead.kind, ValueSequenceHead.kind}
    return {estimator._head.kind}


def test_onnx_exports_each_estimator():
    assert all(None not in _kinds(e) for e in ESTIMATORS)


def test_the_light_predictor_has_a_twin_of_each_exported_head():
    assert set().union(*map(_kinds, ESTIMATORS)) == set(HEAD_TWINS)
