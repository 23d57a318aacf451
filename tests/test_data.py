"""Reading inputs, the vocabulary, the flat dataset and length bucketing."""

import numpy as np
import pandas as pd
import pytest
import torch

from sklstm.data import (
    BucketBatchSampler,
    InputEncoder,
    Ragged,
    RegexTokenizer,
    SequenceDataset,
    Vocabulary,
    bucket_loader,
    is_table,
    read_sequences,
)
from sklstm.rng import seeded


class TestReadSequences:
    def test_token_lists(self):
        """Lists of string or int tokens are token sequences."""
        assert read_sequences([["a", "b"], ["c"]]).kind == "tokens"
        assert read_sequences([[3, 4], np.array([5])]).kind == "tokens"

    @pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
    @pytest.mark.parametrize("n_features", [None, 3])
    def test_float_arrays_read_as_the_same_numbers_in_lists(self, dtype, n_features):
        """Float arrays, read all at once, give the float64 features that the
        same numbers give as nested lists, read a sample at a time."""
        rng = np.random.RandomState(0)
        shape = () if n_features is None else (n_features,)
        arrays = [rng.normal(size=(n, *shape)).astype(dtype) for n in (1, 4, 2)]
        at_once = read_sequences(arrays).features
        one_by_one = read_sequences([a.tolist() for a in arrays]).features
        for a, b in zip(at_once, one_by_one, strict=True):
            assert a.dtype == b.dtype == np.float64
            np.testing.assert_array_equal(a, b)

    def test_raw_strings_are_tokenized(self):
        """A list of strings is split by the default tokenizer."""
        read = read_sequences(["Hello, world", "ok"])
        assert read.tokens == [["Hello", ",", "world"], ["ok"]]

    def test_custom_tokenizer(self):
        """A regex pattern or a callable replaces the default tokenizer."""
        assert read_sequences(["a-b c"], tokenizer=r"[^ ]+").tokens == [["a-b", "c"]]
        assert read_sequences(["abc"], tokenizer=list).tokens == [["a", "b", "c"]]

    def test_numeric_forms(self):
        """Ragged 2-D arrays, 1-D float arrays, 3-D and 2-D arrays are numeric."""
        ragged = read_sequences([np.ones((3, 2)), np.ones((5, 2))])
        assert ragged.kind == "numeric" and ragged.lengths.tolist() == [3, 5]
        univariate = read_sequences([np.ones(4), [0.5, 1.5]])
        assert univariate.features[1].shape == (2, 1)
        cube = read_sequences(np.zeros((4, 6, 3)))
        assert cube.features[0].shape == (6, 3) and cube.n_columns is None
        table = read_sequences(np.zeros((4, 6)))
        assert table.features[0].shape == (6, 1) and table.n_columns == 6

    def test_integer_2d_array_is_numeric(self):
        """A 2-D integer array is numeric (counts), never token ids."""
        read = read_sequences(np.arange(6).reshape(2, 3))
        assert read.kind == "numeric"

    def test_pandas(self):
        """A Series of strings is text; a DataFrame is a table of time steps."""
        pd = pytest.importorskip("pandas")
        assert read_sequences(pd.Series(["a b", "c"])).kind == "tokens"
        frame = read_sequences(pd.DataFrame({"t0": [1.0, 2.0], "t1": [3.0, 4.0]}))
        assert frame.n_columns == 2 and frame.features[1].ravel().tolist() == [2, 4]

    def test_a_list_is_never_a_table(self):
        """Equal-length float lists are sequences that happen to be equally long."""
        read = read_sequences([np.ones(5), np.zeros(5)])
        assert read.n_columns is None and read.features[0].shape == (5, 1)
        assert not is_table([[1.0, 2.0], [3.0, 4.0]])
        assert is_table(np.ones((2, 2)))

    def test_text_is_never_converted_to_decide_on_a_table(self):
        """Telling text from a table costs no copy of the text.

        Converting these strings with np.asarray would take 160 MB (a fixed-width
        array as wide as the longest string).
        """
        import tracemalloc

        texts = ["a short one"] * 2000 + ["x" * 20000]
        tracemalloc.start()
        try:
            assert not is_table(texts)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 5_000_000

    def test_one_column_of_text_is_text(self):
        """A one-column DataFrame or (n, 1) array of strings holds text, one per row."""
        pd = pytest.importorskip("pandas")
        frame = pd.DataFrame({"text": ["good film", "bad"], "n": [1, 2]})[["text"]]
        assert read_sequences(frame).tokens == [["good", "film"], ["bad"]]
        column = np.array([["good film"], ["bad"]], dtype=object)
        assert read_sequences(column).tokens == [["good", "film"], ["bad"]]
        assert not is_table(frame) and is_table(frame.assign(text=[1.0, 2.0]))

    def test_dict_streams(self):
        """A dict joins token sequences with one feature row per token."""
        read = read_sequences(
            {
                "tokens": [["a", "b"], ["c"]],
                "features": [np.ones((2, 3)), np.ones((1, 3))],
            }
        )
        assert read.kind == "tokens+features"

    @pytest.mark.parametrize(
        "X, error, match",
        [
            (None, TypeError, "X is None"),
            ("a sentence", TypeError, "single string"),
            ([], ValueError, "X is empty"),
            ([["a"], []], ValueError, r"X\[1\] is an empty sequence"),
            ([["a", None]], ValueError, "contains None"),
            ([[b"a", b"b"]], ValueError, r"holds bytes; .*decode"),
            (np.zeros((3, 4, 0)), ValueError, "0 features per step"),
            ([np.zeros((4, 0))], ValueError, "0 features per step"),
            (
                pd.DataFrame({"a": ["x y", "z"], "b": ["u", "v"]}),
                ValueError,
                r"table of 2 columns, some holding text \(a, b\)",
            ),
            ([["a"], [1]], ValueError, "mixes string tokens and integer tokens"),
            ([["a"], [0.5]], ValueError, "mixes token sequences and numeric"),
            (
                [np.ones((2, 2)), np.ones((2, 3))],
                ValueError,
                r"different feature counts",
            ),
            ([[0.5], [0.5, np.nan]], ValueError, r"X\[1\] contains NaN or infinity"),
            (np.full((2, 3), np.inf), ValueError, "X contains NaN or infinity"),
            (np.ones(5), ValueError, "1-D array of shape"),
            (np.ones((2, 2, 2, 2)), ValueError, "4-D array"),
            ([np.ones((2, 2, 2))], ValueError, "nesting is too deep"),
            ({"tokens": [["a"]]}, ValueError, "exactly the keys"),
            (
                {"tokens": [["a", "b"]], "features": [np.ones((3, 1))]},
                ValueError,
                r"has 2 tokens but X\['features'\]\[0\] has 3 steps",
            ),
            ([{"a": 1}], TypeError, r"X\[0\] is a dict"),
            (3.5, TypeError, "X is a float"),
        ],
    )
    def test_errors(self, X, error, match):
        """Bad input is rejected with a message naming what was received."""
        with pytest.raises(error, match=match):
            read_sequences(X)

    def test_sparse_rejected(self):
        """A sparse matrix gets a message pointing at toarray()."""
        sparse = pytest.importorskip("scipy.sparse")
        with pytest.raises(TypeError, match="toarray"):
            read_sequences(sparse.csr_matrix(np.ones((2, 2))))


class TestVocabulary:
    def test_frequency_cut_and_order(self):
        """Most frequent first, ties by first appearance, rare tokens dropped."""
        vocab = Vocabulary.build([["b", "a", "b", "c", "a", "d"]], min_frequency=2)
        assert vocab.index == {"b": 2, "a": 3}
        assert len(vocab) == 4

    def test_max_size_and_extra_tokens(self):
        """max_size keeps the most frequent; extra tokens are always added."""
        vocab = Vocabulary.build([["a", "a", "b"]], max_size=1, extra_tokens=["x"])
        assert vocab.index == {"a": 2, "x": 3}

    def test_unknown_tokens(self):
        """Unseen tokens map to index 1."""
        vocab = Vocabulary.build([[10, 20]])
        assert vocab.encode([20, 99]).tolist() == [3, 1]


class TestInputEncoder:
    def test_standardizes_numeric_features(self):
        """Features are scaled to zero mean and unit variance over all steps."""
        X = [np.array([[1.0, 10.0], [3.0, 10.0]]), np.array([[5.0, 10.0]])]
        data = InputEncoder().fit_transform(X)
        steps = data.streams["features"]
        np.testing.assert_allclose(steps[:, 0], [-1.2247, 0.0, 1.2247], atol=1e-4)
        np.testing.assert_array_equal(steps[:, 1], 0.0)  # constant: not divided by 0

    def test_lowercase(self):
        """lowercase folds string tokens before the vocabulary."""
        encoder = InputEncoder(lowercase=True)
        encoder.fit_transform(["The the THE"])
        assert encoder.vocabulary_.index == {"the": 2}

    def test_lowercase_keeps_the_case_of_characters(self):
        """Words share a lowercased embedding row; their characters keep the case."""
        encoder = InputEncoder(lowercase=True, characters=True)
        data = encoder.fit_transform([["Ab", "ab"]])
        tokens, chars = data.streams["tokens"], data.streams["chars"]
        assert tokens[0] == tokens[1]
        assert chars[0, 0] != chars[1, 0]  # "A" and "a"
        assert chars[0, 1] == chars[1, 1]  # "b"

    @pytest.mark.parametrize(
        "X, expected",
        [
            (["the cat sat", "a dog"], True),  # raw text: words
            ([["ab", "c"]], True),
            ([["a", "b"], ["c"]], False),  # single letters: no spelling to read
            ([[1, 22], [3]], False),  # integer tokens
            ([np.ones((3, 2))], False),  # numeric series
        ],
    )
    def test_characters_auto_reads_words_only(self, X, expected):
        """characters="auto" encodes the characters of word tokens alone."""
        data = InputEncoder(characters="auto").fit_transform(X)
        assert ("chars" in data.streams) is expected

    def test_transform_checks_kind_and_features(self):
        """Predict-time X must be of the fitted kind and feature count."""
        encoder = InputEncoder()
        encoder.fit_transform([np.ones((2, 3))])
        with pytest.raises(ValueError, match="fitted on numeric"):
            encoder.transform([["a"]])
        with pytest.raises(
            ValueError,
            match="X has 2 features per step, but the estimator is expecting 3",
        ):
            encoder.transform([np.ones((2, 2))])

    def test_transform_checks_token_type(self):
        """Tokens at predict must be of the type seen in fit (str or int)."""
        encoder = InputEncoder()
        encoder.fit_transform([["a", "b"]])
        with pytest.raises(
            ValueError,
            match="X holds integer tokens, but the estimator was fitted on string",
        ):
            encoder.transform([[1, 2]])
        encoder.fit_transform([[1, 2]])
        with pytest.raises(ValueError, match="X holds string tokens"):
            encoder.transform(["some text"])

    def test_patches_by_hand(self):
        """Patches hold k steps side by side; the last is zero-padded, never
        filled from the next series, and says how much of it is real."""
        encoder = InputEncoder(standardize=False, patch_size=3)
        first, second = np.arange(7.0)[:, None], np.full((2, 1), 9.0)
        data = encoder.fit_transform([first, second])
        assert data.lengths.tolist() == [3, 1]
        expected = [[0, 1, 2, 1], [3, 4, 5, 1], [6, 0, 0, 1 / 3], [9, 9, 0, 2 / 3]]
        features = data.streams["features"]
        np.testing.assert_allclose(features, expected, rtol=1e-6)
        assert encoder.n_step_features_ == 4
        again = encoder.transform([second]).streams["features"][0]
        np.testing.assert_allclose(again, expected[-1], rtol=1e-6)

    def test_per_series_scale_by_hand(self):
        """Each series by its own mean and deviation, beside them as constant
        features: the mean and the log of the deviation, in units of the training
        steps' mean and deviation."""
        first = np.array([[1.0], [3.0]])  # mean 2, deviation 1
        second = np.array([[100.0], [300.0], [200.0]])  # mean 200, deviation 81.65
        steps = np.array([1.0, 3.0, 100.0, 300.0, 200.0])
        encoder = InputEncoder(standardize="per_series")
        data = encoder.fit_transform([first, second])
        shape = [-1.0, 1.0, -1.2247, 1.2247, 0.0]
        level = (np.array([2.0, 2.0, 200.0, 200.0, 200.0]) - steps.mean()) / steps.std()
        log_scale = np.log(
            np.array([1.0, 1.0, 81.6497, 81.6497, 81.6497]) / steps.std()
        )
        expected = np.column_stack([shape, level, log_scale])
        np.testing.assert_allclose(data.streams["features"], expected, atol=1e-4)
        assert encoder.n_step_features_ == 3
        again = encoder.transform([second]).streams["features"]
        np.testing.assert_allclose(again, expected[2:], atol=1e-4)

    @pytest.mark.parametrize(
        ("X", "expected"),
        [
            # deviations 1e-3 to 1e2: one scale would flatten the small ones
            ([np.sin(np.arange(20.0)) * 10.0**k for k in range(-3, 3)], "per_series"),
            # already normalised series (as most UCR sets are)
            ([np.sin(np.arange(20.0) + k) for k in range(6)], True),
            # rows of a table of 3 columns: feature vectors more than shapes
            (np.array([[1.0, 2.0, 4.0]]) * 10.0 ** np.arange(6)[:, None], True),
            # several features per step: one scale for all (measured on one set)
            (
                [np.sin(np.arange(20.0))[:, None] * [1, 10.0**k] for k in range(6)],
                True,
            ),
            # features beside tokens belong to the tokens
            (
                {
                    "tokens": [["a", "b"]] * 6,
                    "features": [np.array([[1.0], [2.0]]) * 10.0**k for k in range(6)],
                },
                True,
            ),
        ],
        ids=["spread", "normalised", "short", "multivariate", "tokens"],
    )
    def test_auto_scale(self, X, expected):
        """'auto' scales univariate series of MIN_SHAPE_STEPS or more per series
        where the training series' deviations span more than AUTO_SCALE_SPREAD
        times, else over all steps."""
        encoder = InputEncoder(standardize="auto")
        encoder.fit_transform(X)
        assert encoder.standardize_ == expected

    def test_auto_patch_size(self):
        """'auto' reads the median training series in about 30 steps; tokens and
        short series are read step by step."""
        auto = InputEncoder(patch_size="auto")
        auto.fit_transform([np.ones(150), np.ones(140), np.ones(300)])
        assert auto.patch_size_ == 5
        auto.fit_transform([np.ones(24)] * 3)
        assert auto.patch_size_ == 1
        auto.fit_transform([["a"] * 300])
        assert auto.patch_size_ == 1

    def test_table_column_count(self):
        """A 2-D array at predict needs as many columns as in fit."""
        encoder = InputEncoder()
        encoder.fit_transform(np.ones((3, 4)))
        with pytest.raises(
            ValueError,
            match="X has 3 features, but the estimator "
            "is expecting 4 features as input",
        ):
            encoder.transform(np.ones((3, 3)))


class TestSequenceDataset:
    def test_batch_pads_to_batch_maximum(self):
        """A batch is padded to its own longest sequence with zeros."""
        data = SequenceDataset(
            [3, 1, 2],
            tokens=[1, 2, 3, 4, 5, 6],
            features=np.arange(12.0).reshape(6, 2),
            y=[7, 8, 9],
        )
        X, y = data.batch(torch.tensor([1, 2]))
        assert X["tokens"].tolist() == [[4, 0], [5, 6]]
        assert X["features"][0].tolist() == [[6.0, 7.0], [0.0, 0.0]]
        assert X["lengths"].tolist() == [1, 2] and y.tolist() == [8, 9]

    def test_per_step_targets_pad_with_ignore_index(self):
        """Per-step targets are padded with -100, which the loss ignores."""
        data = SequenceDataset([1, 2], tokens=[1, 2, 3], y=[5, 6, 7], per_step=True)
        assert data.batch(torch.tensor([0, 1]))[1].tolist() == [[5, -100], [6, 7]]

    def test_output_sequences_pad_on_their_own_lengths(self):
        """Ragged targets (sequence to sequence) pad to their own longest, with -100
        for labels and NaN for values, go into X for teacher forcing, survive subset
        and weigh sample weights by their steps."""
        data = SequenceDataset(
            [2, 1, 1],
            tokens=[1, 2, 3, 4],
            y=Ragged(np.array([5, 6, 7, 8, 9, 10]), np.array([1, 3, 2])),
            sample_weight=[1.0, 1.0, 4.0],
        )
        X, (y, weight) = data.batch(torch.tensor([0, 1]))
        assert y.tolist() == [[5, -100, -100], [6, 7, 8]]
        assert torch.equal(X["targets"], y)
        # weights per target step average 1: (1*1 + 1*3 + 4*2) / 6 steps = 2
        assert weight.tolist() == [0.5, 0.5]
        part = data.subset([2, 1])
        assert part.batch(torch.tensor([0, 1]))[1][0].tolist() == [
            [9, 10, -100],
            [6, 7, 8],
        ]
        assert part.y.tolist() == [9, 10, 6, 7, 8]
        values = SequenceDataset(
            [1, 1],
            features=[[0.0], [1.0]],
            y=Ragged(np.array([[0.5], [1.5], [2.5]]), np.array([2, 1])),
        )
        padded = values.batch(torch.tensor([1]))[1]
        assert padded.tolist() == [[[2.5]]]
        assert torch.isnan(values.batch(torch.tensor([0, 1]))[1][1, 1]).all()

    def test_subset(self):
        """subset keeps the chosen sequences, their steps and targets."""
        data = SequenceDataset([3, 1, 2], tokens=[1, 2, 3, 4, 5, 6], y=[7, 8, 9])
        part = data.subset([2, 0])
        X, y = part.batch(torch.tensor([0, 1]))
        assert X["tokens"].tolist() == [[5, 6, 0], [1, 2, 3]] and y.tolist() == [9, 7]


class TestBucketBatchSampler:
    def test_batches_group_similar_lengths(self):
        """Each batch is padded far less than to the global maximum."""
        rng = np.random.RandomState(0)
        lengths = rng.lognormal(3, 0.8, size=500).astype(int) + 1
        data = SequenceDataset(lengths, tokens=np.ones(lengths.sum(), dtype=int))
        padded = sum(
            X["tokens"].numel()
            for X, _ in bucket_loader(data, batch_size=32, shuffle=True)
        )
        # the long tail costs some padding; the global maximum would cost 10x more
        assert padded < 1.25 * lengths.sum() < 0.2 * len(lengths) * lengths.max()

    def test_small_data_batches_mix_lengths(self):
        """On 128 sequences whose class follows their length (longer than the
        median: class 1), the training batches hold both classes."""
        lengths = np.random.RandomState(0).lognormal(3.3, 0.6, size=128).astype(int)
        lengths = np.maximum(lengths, 1)
        label = lengths > np.median(lengths)
        data = SequenceDataset(lengths, tokens=np.ones(lengths.sum(), dtype=int))
        iterator = BucketBatchSampler(data, batch_size=32, shuffle=True)
        mixed = [
            len(set(label[batch.numpy()])) == 2
            for _ in range(10)
            for batch in iterator._batches()
        ]
        assert np.mean(mixed) > 0.9  # one global sort: 11% of batches

    @pytest.mark.parametrize("n_sequences", [5000, 500, 40])
    def test_an_epoch_takes_the_steps_of_one_pass_in_new_batches(self, n_sequences):
        """Training batches of 16 from 5,000 sequences (four pools) come to
        ceil(5000 / 16) = 313, as one sorted pass; from 500 (one pool, whose cuts
        move) one more at most; from 40 (random batches) 3, of 14, 13 and 13
        sequences. Every length is distinct, and still no epoch repeats the
        batches of the one before."""
        lengths = np.random.RandomState(0).permutation(n_sequences) + 1
        data = SequenceDataset(lengths, tokens=np.ones(lengths.sum(), dtype=int))
        sampler = BucketBatchSampler(data, batch_size=16, shuffle=True)
        epochs = [[tuple(sorted(b.tolist())) for b in sampler] for _ in range(3)]
        one_pass = -(-n_sequences // 16)
        for epoch in epochs:
            assert one_pass <= len(epoch) <= one_pass + (n_sequences == 500)
        assert set(epochs[0]) != set(epochs[1]) != set(epochs[2])
        if n_sequences == 40:
            assert sorted(map(len, epochs[0])) == [13, 13, 14]

    @pytest.mark.parametrize("n_sequences", [500, 40])
    def test_ranks_share_one_pass_in_steps_of_neighbouring_lengths(self, n_sequences):
        """Data-parallel: with one seed, 3 ranks together take every batch of a
        single pass (a short last step gives a rank one again), as many steps
        each, and each step's batches are neighbours in length."""
        rng = np.random.RandomState(0)
        lengths = rng.lognormal(3, 0.8, size=n_sequences).astype(int) + 1
        data = SequenceDataset(lengths, tokens=np.ones(lengths.sum(), dtype=int))

        def batches(rank=0, replicas=1):
            sampler = BucketBatchSampler(data, 16, True, replicas, rank)
            # one pass draws from the fit's generator, ranks from its "batches"
            # stream: both seeded alike
            with seeded(7, batches=7):
                return [tuple(batch.tolist()) for batch in sampler]

        whole = batches()
        ranks = [batches(rank, 3) for rank in range(3)]
        assert len({len(share) for share in ranks}) == 1
        assert len(ranks[0]) == -(-len(whole) // 3)
        assert set().union(*ranks) == set(whole)
        if n_sequences > 16 * 16:  # length-sorted pools, not random batches
            steps = zip(*ranks, strict=True)
            spread = [np.ptp([lengths[list(b)].max() for b in step]) for step in steps]
            random_steps = np.ptp(
                [
                    [lengths[list(b)].max() for b in whole[i : i + 3]]
                    for i in range(0, 30, 3)
                ],
                axis=1,
            )
            assert np.median(spread) < np.median(random_steps)

    def test_every_sequence_once_and_shuffled(self):
        """An epoch visits each sequence once, in a new order each time."""
        data = SequenceDataset(np.full(100, 3), tokens=np.arange(300))
        epochs = [
            torch.cat(
                [
                    X["tokens"][:, 0]
                    for X, _ in bucket_loader(data, batch_size=8, shuffle=True)
                ]
            )
            for _ in range(2)
        ]
        assert sorted(epochs[0].tolist()) == list(range(0, 300, 3))
        assert not torch.equal(epochs[0], epochs[1])

    def test_restore_order(self):
        """Outputs computed in length order come back in dataset order."""
        data = SequenceDataset([3, 1, 2], tokens=[1, 2, 3, 4, 5, 6])
        loader = bucket_loader(data, batch_size=2)
        outputs = [X["tokens"][:, :1] for X, _ in loader]
        restore = loader.batch_sampler.restore_order
        assert restore(outputs).ravel().tolist() == [1, 4, 5]
        # per-step outputs of any rank: the caller says so, nothing is guessed
        steps = restore([X["tokens"] for X, _ in loader], step_outputs=True)
        assert steps.tolist() == [1, 2, 3, 4, 5, 6]

    def test_a_torch_data_loader_with_workers(self):
        """The batches are a torch DataLoader's: worker processes give the same."""
        rng = np.random.RandomState(0)
        lengths = rng.randint(1, 9, size=50)
        data = SequenceDataset(lengths, tokens=np.arange(lengths.sum()))
        loader = bucket_loader(data, batch_size=8)
        assert isinstance(loader, torch.utils.data.DataLoader)
        assert isinstance(loader.batch_sampler, BucketBatchSampler)
        alone = [X["tokens"] for X, _ in loader]
        workers = [X["tokens"] for X, _ in bucket_loader(data, 8, num_workers=2)]
        assert len(alone) == len(workers)
        for a, b in zip(alone, workers, strict=True):
            assert torch.equal(a, b)


def test_tokenizer_pickles():
    """The default tokenizer survives pickling (fitted estimators hold it)."""
    import pickle

    assert pickle.loads(pickle.dumps(RegexTokenizer()))("a b") == ["a", "b"]


def test_one_huge_sequence_trains_alone():
    """A sequence far longer than the rest gets a batch of its own, not 63 padded."""
    lengths = np.r_[np.full(500, 30), [30 * 100]]
    data = SequenceDataset(lengths, tokens=np.ones(lengths.sum(), dtype=int))
    iterator = bucket_loader(data, batch_size=64, shuffle=True)
    batches = [X["tokens"].shape for X, _ in iterator]
    assert (1, 3000) in batches
    assert max(b * t for b, t in batches) <= 64 * 8 * lengths.mean()
    # len() counts a length-sorted pass; a training pass's first cut is random
    assert len(iterator) == len(list(bucket_loader(data, batch_size=64)))
    assert len(iterator) <= len(batches) <= len(iterator) + 1


class TestInputsUsersHave:
    """Inputs a user naturally has, read as the documented contract says."""

    def test_empty_texts_are_one_empty_token(self):
        """An empty or blank string is one step, the token "": learned when
        frequent enough in training, else the unknown token (row 1)."""
        encoder = InputEncoder(min_frequency=2)
        encoded = encoder.fit_transform(["", "good film", " ", "good"])
        assert encoded.lengths.tolist() == [1, 2, 1, 1]
        empty = encoder.vocabulary_.index[""]
        assert encoded.streams["tokens"][[0, 3]].tolist() == [empty, empty]
        rare = InputEncoder(min_frequency=2).fit_transform(["", "good", "good"])
        assert rare.streams["tokens"][0] == 1

    def test_string_array_reads_as_a_list(self):
        """np.array(texts) (dtype <U) is read like the list of strings."""
        texts = ["a good film", "dull", "good"]
        as_list = InputEncoder().fit_transform(texts)
        as_array = InputEncoder().fit_transform(np.array(texts))
        np.testing.assert_array_equal(as_array.lengths, as_list.lengths)
        np.testing.assert_array_equal(
            as_array.streams["tokens"], as_list.streams["tokens"]
        )

    def test_one_column_of_arrays_reads_as_series(self):
        """A one-column DataFrame whose cells are arrays reads like a Series of
        them: one numeric series per row."""
        series = [np.arange(3.0), np.arange(5.0)]
        frame = pd.DataFrame({"signal": series})
        from_frame = InputEncoder().fit_transform(frame)
        from_series = InputEncoder().fit_transform(pd.Series(series))
        np.testing.assert_array_equal(from_frame.lengths, [3, 5])
        np.testing.assert_array_equal(
            from_frame.streams["features"], from_series.streams["features"]
        )

    def test_words_without_characters(self):
        """Empty-string tokens read with characters give padding, not an error."""
        encoder = InputEncoder(characters=True)
        encoded = encoder.fit_transform([[""], ["ab", ""]])
        assert encoded.streams["chars"].shape == (3, 2)
        assert encoded.streams["chars"][[0, 2]].tolist() == [[0, 0], [0, 0]]


def test_subset_of_zero_weights_stays_finite():
    """A split whose sample weights are all zero keeps zeros, never 0/0 = NaN."""
    data = SequenceDataset(
        [1, 1, 1, 1], tokens=[2, 3, 4, 5], y=[0, 1, 0, 1], sample_weight=[1, 1, 0, 0]
    )
    part = data.subset([2, 3])
    assert part.sample_weight.tolist() == [0.0, 0.0]
