"""The public estimators are listed once, in ``sklstm.__all__``; every other list
of them (docs, skops' trusted types, the estimator checks, ONNX export) follows it,
so that adding an estimator to the package and forgetting one of these fails here."""

import pathlib

from conftest import ESTIMATORS
from test_estimator_checks import EXPECTED_FAILURES

from sklstm.onnx.exporter import OUTPUT_KINDS
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


def test_skops_trusts_each_estimator_and_its_target_encoder():
    for estimator in ESTIMATORS:
        assert _path(estimator) in SKOPS_TRUSTED_TYPES
        assert _path(estimator._target_encoder) in SKOPS_TRUSTED_TYPES


def test_estimator_checks_cover_each_estimator():
    assert set(EXPECTED_FAILURES) == set(ESTIMATORS)


def test_onnx_exports_each_estimator_but_seq2seq():
    """LSTMSeq2Seq's decoder loop is not exported yet (see sklstm.onnx.export)."""
    exportable = {e.__name__ for e in ESTIMATORS if e._target_encoder in OUTPUT_KINDS}
    assert exportable == {e.__name__ for e in ESTIMATORS} - {"LSTMSeq2Seq"}
