"""Readers for the public data sets the examples use (no dependency beyond numpy).

Each reader takes the path of a file in the data set's usual release format; the
examples default to the copies in ``../shared/data`` beside the project checkout.
"""

from pathlib import Path

import numpy as np

#: the examples' folder: the data shipped with the project (data/) and the figures
#: the examples save (output/). A module's __file__, since the gallery runs the
#: examples themselves without one
EXAMPLES = Path(__file__).resolve().parent
#: where the examples look for data sets unless given --data
SHARED_DATA = EXAMPLES.parents[1] / "shared" / "data"


def load_conllu(path, column=3):
    """Sentences as word lists, with the tags of ``column`` (3 = UPOS) per word.

    Multiword-token lines ("3-4") and empty nodes ("8.1") are skipped.
    """
    sentences, tags, words, labels = [], [], [], []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line:
            if words:
                sentences.append(words)
                tags.append(labels)
            words, labels = [], []
        elif not line.startswith("#"):
            fields = line.split("\t")
            if fields[0].isdigit():
                words.append(fields[1])
                labels.append(fields[column])
    if words:
        sentences.append(words)
        tags.append(labels)
    return sentences, tags


def load_sst(path):
    """Sentences and integer labels from "<label> <sentence>" lines."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    labels, sentences = zip(*(line.split(" ", 1) for line in lines), strict=True)
    return list(sentences), np.array(labels, dtype=int)


def load_goemotions(path, emotions_path):
    """Comments and their sets of emotion names (TSV: text, label ids, id)."""
    names = Path(emotions_path).read_text(encoding="utf-8").split()
    texts, label_sets = [], []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        text, ids, _ = line.split("\t")
        texts.append(text)
        label_sets.append({names[int(i)] for i in ids.split(",")})
    return texts, label_sets


def load_ts(path):
    """Series and their labels (or real targets) from a UCR/UEA ``.ts`` file.

    Returns a list of ``(T_i, n_channels)`` arrays (lengths may differ) and an array
    of labels: strings, or floats when the file has ``@targetLabel true``.
    """
    series, labels, numeric_target, in_data = [], [], False, False
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not in_data:
            numeric_target |= line.lower().startswith("@targetlabel true")
            in_data = line.lower() == "@data"
            continue
        *channels, label = line.split(":")
        values = [np.array(c.split(","), dtype=float) for c in channels]
        series.append(np.stack(values, axis=1))
        labels.append(label)
    return series, np.array(labels, dtype=float if numeric_target else str)


def load_airline(path):
    """Monthly airline passengers (1949-1960) as a float array."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()[1:]
    return np.array([line.split(",")[1] for line in lines], dtype=float)


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
