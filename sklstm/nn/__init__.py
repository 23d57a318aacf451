"""Torch modules, usable without scikit-learn."""

from sklstm.nn.chars import CharCNN
from sklstm.nn.losses import StepCrossEntropyLoss
from sklstm.nn.model import SequenceModel
from sklstm.nn.pooling import POOLINGS, SequencePooling
from sklstm.nn.recurrent import Recurrent

__all__ = [
    "CharCNN",
    "POOLINGS",
    "Recurrent",
    "SequenceModel",
    "SequencePooling",
    "StepCrossEntropyLoss",
]
