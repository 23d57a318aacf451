"""Training failures lose nothing; results repeat; predicting is thread-safe;
parameters start where they should."""

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import torch
from conftest import FAST
from skorch.callbacks import Callback

from sklstm import LSTMClassifier, LSTMRegressor, LSTMTagger


class _InterruptAt(Callback):
    """Raise KeyboardInterrupt (a user's Ctrl-C) during the given epoch."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_batch_end(self, net, **kwargs):
        if len(net.history) == self.epoch:
            raise KeyboardInterrupt


class TestTrainingFailures:
    def test_nan_loss_keeps_last_good_weights(self, sum_data):
        """A loss that turns NaN stops with a clear error; the good weights stay."""
        X, y = sum_data
        reg = LSTMRegressor(
            **{**FAST, "max_epochs": 2}, optimizer="sgd", warm_start=True
        ).fit(X, y)
        before = reg.predict(X)
        reg.set_params(lr=1e8)
        with pytest.raises(
            FloatingPointError,
            match=(
                r"loss became (nan|inf) in epoch 3 .*keeps the weights after epoch 2\. "
                r"Try a smaller learning rate \(lr=100000000\.0\)"
            ),
        ):
            reg.fit(X, y)
        np.testing.assert_array_equal(reg.predict(X), before)
        assert reg.n_iter_ == 2  # the failed epoch is not counted

    def test_exploding_loss_stops_with_best_weights(self, sum_data):
        """A loss that explodes (finite, but 1000x its lowest) stops with an error
        naming the learning rate, and the estimator keeps sensible weights."""
        X, y = sum_data
        reg = LSTMRegressor(**{**FAST, "max_epochs": 5, "lr": 1e6})
        with pytest.raises(
            FloatingPointError,
            match=r"(diverged|became (nan|inf)).*lr=1000000\.0",
        ):
            reg.fit(X, y)
        assert np.abs(reg.predict(X)).max() < 10 * np.abs(y).max()

    def test_warm_start_after_divergence(self, sum_data):
        """After a divergence, a warm start with a smaller lr trains normally:
        the optimizer's moments, which saw the divergent gradients, are reset."""
        X, y = sum_data
        reg = LSTMRegressor(**{**FAST, "max_epochs": 2}, warm_start=True).fit(X, y)
        reg.set_params(lr=1e30)
        with pytest.raises(FloatingPointError):
            reg.fit(X, y)
        assert reg.n_iter_ == 2
        reg.set_params(lr=1e-3).fit(X, y)
        assert reg.n_iter_ == 4 and np.isfinite(reg.history_[:, "train_loss"]).all()

    def test_keyboard_interrupt_keeps_weights_and_says_so(self, marker_data):
        """Ctrl-C during fit leaves a usable estimator with the epochs completed."""
        X, y = marker_data
        clf = LSTMClassifier(
            **{**FAST, "max_epochs": 10}, callbacks=[_InterruptAt(epoch=3)]
        )
        with pytest.warns(UserWarning, match="interrupted after 2 complete epochs"):
            clf.fit(X, y)
        assert clf.n_iter_ == 2 and len(clf.history_[:, "train_loss"]) == 2
        assert clf.predict(X).shape == (len(X),)

    def test_gpu_out_of_memory_suggests_smaller_batches(self, marker_data, monkeypatch):
        """CUDA running out of memory becomes a MemoryError about batch_size."""
        from sklstm.net import SequenceNet

        def out_of_memory(self, *args, **kwargs):
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate")

        monkeypatch.setattr(SequenceNet, "train_step", out_of_memory)
        with pytest.raises(MemoryError, match="smaller batch_size"):
            LSTMClassifier(**FAST).fit(*marker_data)


class TestReproducibility:
    SCRIPT = (
        "import sys; sys.path.insert(0, {tests!r}); "
        "import numpy as np; from conftest import FAST; from sklstm import "
        "LSTMClassifier; rng = np.random.RandomState(1); "
        "X = [list(rng.choice(['a', 'b', 'c'], size=rng.randint(1, 9))) "
        "for _ in range(60)]; y = [int('a' in s) for s in X]; "
        "p = LSTMClassifier(**{{**FAST, 'max_epochs': 3}}).fit(X, y).predict_proba(X);"
        " print(repr(p.tolist()))"
    )

    def test_same_seed_across_processes(self):
        """Two processes with the same random_state predict identically on CPU."""
        import os

        script = self.SCRIPT.format(tests=os.path.dirname(__file__))
        outputs = [
            subprocess.run(
                [sys.executable, "-c", script],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            for _ in range(2)
        ]
        assert outputs[0] == outputs[1] and outputs[0].startswith("[[")


def test_concurrent_predictions_match_serial(marker_data):
    """predict_proba from 4 threads at once gives the serial results."""
    X, y = marker_data
    clf = LSTMClassifier(**FAST).fit(X, y)
    chunks = [X[i::4] for i in range(4)]
    serial = [clf.predict_proba(chunk) for chunk in chunks]
    with ThreadPoolExecutor(4) as pool:
        for _ in range(3):
            parallel = list(pool.map(clf.predict_proba, chunks))
            for a, b in zip(serial, parallel, strict=True):
                np.testing.assert_array_equal(a, b)


def test_a_model_that_fits_well_is_not_called_diverged():
    """A loss near zero that rises a little (0.0117 against a lowest of 3e-6) is
    no divergence: the guard's scale is the first loss, at least 1."""
    X, y = [["a"], ["b"]] * 16, [0, 1] * 16
    clf = LSTMClassifier(
        hidden_size=8, lr=0.05, batch_size=4, tol=None, max_epochs=80, random_state=0
    )
    assert clf.fit(X, y).n_iter_ == 80


class TestFitsInThreads:
    """Each fit draws from generators of its own (sklstm.rng)."""

    KW = {**FAST, "max_epochs": 3, "dropout": 0.3, "token_dropout": 0.1}

    def test_threaded_search_repeats_the_serial_one(self, marker_data):
        """GridSearchCV under joblib's threading backend gives the serial
        search's cv_results_, run after run."""
        from joblib import parallel_backend
        from sklearn.model_selection import GridSearchCV

        X, y = marker_data
        X, y = X[:80], y[:80]
        grid = {"hidden_size": [8, 16]}
        serial = GridSearchCV(LSTMClassifier(**self.KW), grid, cv=2).fit(X, y)
        for _ in range(2):
            with parallel_backend("threading", n_jobs=2):
                threaded = GridSearchCV(LSTMClassifier(**self.KW), grid, cv=2)
                threaded.fit(X, y)
            np.testing.assert_array_equal(
                threaded.cv_results_["mean_test_score"],
                serial.cv_results_["mean_test_score"],
            )

    def test_two_layer_seq2seq_with_dropout_repeats_in_threads(self):
        """An encoder-decoder whose two-layer decoder drops out between its
        layers gives, fitted in two threads at once, what it gives alone."""
        from concurrent.futures import ThreadPoolExecutor

        from sklstm import LSTMSeq2Seq

        rng = np.random.RandomState(0)
        X = [list(rng.choice(list("abcd"), size=rng.randint(2, 6))) for _ in range(40)]
        y = [x[::-1] for x in X]

        def fit():
            model = LSTMSeq2Seq(**{**self.KW, "token_dropout": 0.0}, num_layers=2)
            return model.fit(X, y).predict_proba(X[:5])

        alone = fit()
        with ThreadPoolExecutor(2) as pool:
            together = list(pool.map(lambda _: fit(), range(2)))
        for proba in together:
            for mine, theirs in zip(proba, alone, strict=True):
                np.testing.assert_array_equal(mine, theirs)

    def test_callers_draws_are_untouched_while_a_fit_runs(self, marker_data):
        """torch.rand in the main thread gives the same numbers whether or not a
        fit runs in another thread meanwhile."""
        import threading

        X, y = marker_data
        torch.manual_seed(3)
        expected = torch.rand(400)
        torch.manual_seed(3)
        fit = threading.Thread(target=LSTMClassifier(**self.KW).fit, args=(X, y))
        fit.start()
        draws = []
        while fit.is_alive() or len(draws) < 400:
            draws.append(torch.rand(1))
        fit.join()
        np.testing.assert_array_equal(torch.cat(draws)[:400], expected)


def test_initialisation_follows_torchs_defaults():
    """sklstm.rng.initialize_parameters draws from torch's default distributions:
    the same bounds and spread as torch's own layers, on large layers."""
    from torch import nn

    from sklstm.rng import initialize_parameters

    layers = [
        nn.Linear(400, 300),
        nn.LSTM(50, 200),
        nn.Embedding(500, 100),
        nn.Conv1d(40, 50, 3),
    ]
    for layer in layers:
        ours = [p.detach().clone() for p in layer.parameters()]
        initialize_parameters(layer, torch.Generator().manual_seed(0))
        for theirs, mine in zip(ours, layer.parameters(), strict=True):
            mine = mine.detach()
            if mine.numel() < 1000:  # too few values to compare spreads
                continue
            if not isinstance(layer, nn.Embedding):  # uniform: the same bound
                assert float(mine.abs().max()) == pytest.approx(
                    float(theirs.abs().max()), rel=0.05
                )
            assert float(mine.std()) == pytest.approx(float(theirs.std()), rel=0.05)


@pytest.mark.parametrize(
    ("Estimator", "std"), [(LSTMClassifier, 0.03), (LSTMTagger, 1.0)]
)
def test_token_embeddings_start_small_for_one_output_per_sequence(Estimator, std):
    """Word vectors start near zero (standard deviation 0.03) where the estimator
    has one output per sequence, and from torch's N(0, 1) where it has one per
    step, measured at the start of training."""
    started = []

    class AtStart(Callback):
        def on_train_begin(self, net, **kwargs):
            started.append(net.module_.embedding.weight[2:].detach().clone())

    words = [[f"w{i}", f"w{(7 * i) % 300}", f"w{(13 * i) % 300}"] for i in range(300)]
    y = (
        [[i % 2] * 3 for i in range(300)]
        if Estimator is LSTMTagger
        else [i % 2 for i in range(300)]
    )
    params = {**FAST, "max_epochs": 1, "min_frequency": 1, "embedding_dim": 32}
    Estimator(**params, callbacks=[AtStart()]).fit(words, y)
    assert float(started[0].std()) == pytest.approx(std, rel=0.1)
