"""scikit-learn estimators for sequences, built on PyTorch LSTMs/GRUs and skorch."""

from sklstm.classifier import LSTMClassifier
from sklstm.multilabel import LSTMMultiLabel
from sklstm.regressor import LSTMRegressor
from sklstm.tagger import LSTMTagger
from sklstm.targets import flatten_tags

__version__ = "0.1.0"

__all__ = [
    "LSTMClassifier",
    "LSTMMultiLabel",
    "LSTMRegressor",
    "LSTMTagger",
    "__version__",
    "flatten_tags",
]
