"""scikit-learn estimators for sequences, built on PyTorch LSTMs/GRUs and skorch."""

from sklstm.classifier import LSTMClassifier
from sklstm.regressor import LSTMRegressor

__version__ = "0.1.0"

__all__ = ["LSTMClassifier", "LSTMRegressor", "__version__"]
