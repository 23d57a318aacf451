"""Turning user input into padded batches: reading, encoding, vocabulary, dataset,
batching.

Reading and encoding input (:mod:`~sklstm.data.reading`, :mod:`~sklstm.data.inputs`,
tokenizer, vocabulary) need only numpy; the dataset and batching, which torch needs,
load on first use.
"""

from typing import TYPE_CHECKING

from sklstm._lazy import lazy_attributes

_WHERE = {
    "IGNORE_INDEX": "sklstm.data.dataset",
    "BucketBatchSampler": "sklstm.data.batching",
    "Encoded": "sklstm.data.inputs",
    "InputEncoder": "sklstm.data.inputs",
    "Ragged": "sklstm.data.dataset",
    "RegexTokenizer": "sklstm.data.tokenize",
    "SequenceDataset": "sklstm.data.dataset",
    "bucket_loader": "sklstm.data.batching",
    "Vocabulary": "sklstm.data.vocabulary",
    "is_table": "sklstm.data.reading",
    "make_tokenizer": "sklstm.data.tokenize",
    "read_sequences": "sklstm.data.reading",
    "real_steps": "sklstm.data.dataset",
}
__getattr__, __dir__ = lazy_attributes(__name__, _WHERE)
__all__ = list(_WHERE)

if TYPE_CHECKING:
    from sklstm.data.batching import BucketBatchSampler as BucketBatchSampler
    from sklstm.data.batching import bucket_loader as bucket_loader
    from sklstm.data.dataset import IGNORE_INDEX as IGNORE_INDEX
    from sklstm.data.dataset import Ragged as Ragged
    from sklstm.data.dataset import SequenceDataset as SequenceDataset
    from sklstm.data.dataset import real_steps as real_steps
    from sklstm.data.inputs import Encoded as Encoded
    from sklstm.data.inputs import InputEncoder as InputEncoder
    from sklstm.data.reading import is_table as is_table
    from sklstm.data.reading import read_sequences as read_sequences
    from sklstm.data.tokenize import RegexTokenizer as RegexTokenizer
    from sklstm.data.tokenize import make_tokenizer as make_tokenizer
    from sklstm.data.vocabulary import Vocabulary as Vocabulary
