"""scikit-learn estimators for sequences, built on PyTorch LSTMs/GRUs and skorch."""

from sklstm._version import __version__
from sklstm.classifier import LSTMClassifier
from sklstm.multilabel import LSTMMultiLabel
from sklstm.regressor import LSTMRegressor
from sklstm.seq2seq import LSTMSeq2Seq
from sklstm.tagger import LSTMTagger
from sklstm.targets import flatten_tags

__all__ = [
    "LSTMClassifier",
    "LSTMMultiLabel",
    "LSTMRegressor",
    "LSTMSeq2Seq",
    "LSTMTagger",
    "__version__",
    "flatten_tags",
]
