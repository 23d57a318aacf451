"""Turning user input into padded batches: reading, vocabulary, dataset, batching."""

from sklstm.data.batching import BucketIterator
from sklstm.data.dataset import IGNORE_INDEX, Ragged, SequenceDataset, real_steps
from sklstm.data.inputs import InputEncoder, is_table, read_sequences
from sklstm.data.tokenize import RegexTokenizer, make_tokenizer
from sklstm.data.vocabulary import Vocabulary

__all__ = [
    "IGNORE_INDEX",
    "BucketIterator",
    "InputEncoder",
    "Ragged",
    "RegexTokenizer",
    "SequenceDataset",
    "Vocabulary",
    "is_table",
    "make_tokenizer",
    "read_sequences",
    "real_steps",
]
