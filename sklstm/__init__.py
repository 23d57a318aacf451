"""scikit-learn estimators for sequences, built on PyTorch LSTMs/GRUs and skorch."""

from typing import TYPE_CHECKING

from sklstm._lazy import lazy_attributes
from sklstm._version import __version__

_WHERE = {
    "LSTMClassifier": "sklstm.classifier",
    "LSTMMultiLabel": "sklstm.multilabel",
    "LSTMRegressor": "sklstm.regressor",
    "LSTMSeq2Seq": "sklstm.seq2seq",
    "LSTMTagger": "sklstm.tagger",
    "TrainingCurveDisplay": "sklstm.display",
    "flatten_tags": "sklstm.targets",
}
# torch loads with the first estimator used, not with the package
__getattr__, __dir__ = lazy_attributes(__name__, _WHERE)
__all__ = [*_WHERE, "__version__"]

if TYPE_CHECKING:  # what type checkers and editors see
    from sklstm.classifier import LSTMClassifier as LSTMClassifier
    from sklstm.display import TrainingCurveDisplay as TrainingCurveDisplay
    from sklstm.multilabel import LSTMMultiLabel as LSTMMultiLabel
    from sklstm.regressor import LSTMRegressor as LSTMRegressor
    from sklstm.seq2seq import LSTMSeq2Seq as LSTMSeq2Seq
    from sklstm.tagger import LSTMTagger as LSTMTagger
    from sklstm.targets import flatten_tags as flatten_tags
