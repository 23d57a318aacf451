"""Torch modules, usable without scikit-learn."""

from sklstm.nn.chars import CharCNN
from sklstm.nn.conv import ConvBranch
from sklstm.nn.losses import StepCrossEntropyLoss, StepValueLoss
from sklstm.nn.model import SequenceEncoder, SequenceModel
from sklstm.nn.pooling import POOLINGS, SequencePooling
from sklstm.nn.recurrent import Recurrent
from sklstm.nn.seq2seq import Seq2SeqModel

__all__ = [
    "CharCNN",
    "ConvBranch",
    "POOLINGS",
    "Recurrent",
    "Seq2SeqModel",
    "SequenceEncoder",
    "SequenceModel",
    "SequencePooling",
    "StepCrossEntropyLoss",
    "StepValueLoss",
]
