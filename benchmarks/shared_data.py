"""The benchmarks' data: the copies in ``../shared/data`` beside the checkout (a
development resource; the examples fetch theirs with ``sklstm.datasets``), read
with sklstm's readers where sklstm fetches the same files."""

from pathlib import Path

import numpy as np

from sklstm.datasets._formats import read_conllu as load_conllu
from sklstm.datasets._formats import read_goemotions
from sklstm.datasets._formats import read_labelled_lines as load_sst
from sklstm.datasets._formats import read_ts as load_ts

__all__ = [
    "SHARED_DATA",
    "load_conllu",
    "load_g2p",
    "load_goemotions",
    "load_sst",
    "load_ts",
    "load_ucr_tsv",
]

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def load_goemotions(path, emotions_path):
    """Comments and their lists of emotion names."""
    return read_goemotions(path, Path(emotions_path).read_text("utf-8").split())


def load_g2p(path):
    """Words as letter lists and their pronunciations as phoneme lists, one pair a
    line (``word<TAB>phonemes``; a word with several pronunciations has several)."""
    words, phonemes = [], []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        word, pronunciation = line.split("\t")
        words.append(list(word))
        phonemes.append(pronunciation.split())
    return words, phonemes


def load_ucr_tsv(path):
    """Univariate series and their labels from a UCR archive ``.tsv`` file (the
    label, then the values; unequal-length series end with NaN, which is dropped).

    Returns a list of ``(T_i, 1)`` arrays and an array of string labels.
    """
    series, labels = [], []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        label, *values = line.split("\t")
        values = np.array(values, dtype=float)
        series.append(values[~np.isnan(values)][:, None])
        labels.append(label)
    return series, np.array(labels, dtype=str)
