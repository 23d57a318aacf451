"""The skorch net: weighted loss, input order, devices, persistence of its state."""

import io
import math
import pickle
import sys

import numpy as np
import pytest
import torch
from conftest import FAST
from skorch.callbacks import EpochScoring
from torch.utils import _pytree as pytree
from torch.utils._python_dispatch import TorchDispatchMode

from sklstm import LSTMClassifier, LSTMMultiLabel, LSTMRegressor, LSTMTagger
from sklstm.net import SequenceNet

QUICK = {**FAST, "max_epochs": 2}


def _encoded(estimator, X, y, sample_weight=None):
    """The training dataset the estimator builds from X, y (and weights)."""
    data = estimator._read_inputs(X, None, reset=False)
    lengths = data.lengths.numpy()
    targets = estimator.head_.transform(y, lengths)
    return data.with_targets(
        targets, per_step=estimator.head_.per_step, sample_weight=sample_weight
    )


class TestWeightedLoss:
    @pytest.mark.parametrize("per_step", [False, True])
    def test_batches_add_up_to_the_weighted_mean(self, per_step):
        """Training batches' losses, weighted by their elements, give the
        sample-weighted mean loss, however the weights fall across length buckets.

        Long sequences weigh 1000 times more than short ones, so every bucket has
        its own weight; the reference is computed by hand from one forward pass.
        """
        rng = np.random.RandomState(0)
        lengths = np.r_[rng.randint(2, 5, 60), rng.randint(20, 25, 60)]
        X = [list(rng.choice(["a", "b", "c"], n)) for n in lengths]
        y = (
            [list(rng.choice(["P", "Q"], n)) for n in lengths]
            if per_step
            else rng.choice(["P", "Q"], len(lengths))
        )
        weight = np.where(lengths > 10, 1000.0, 1.0)
        Estimator = LSTMTagger if per_step else LSTMClassifier
        estimator = Estimator(**{**QUICK, "max_epochs": 1}, dropout=0.0).fit(X, y)
        net = estimator.net_
        dataset = _encoded(estimator, X, y, weight)
        total, elements = 0.0, 0
        with torch.no_grad():
            for batch_X, batch_y in net.get_iterator(dataset, training=True):
                n = int(batch_X["lengths"].sum()) if per_step else len(batch_y[0])
                loss = net.get_loss(net.infer(batch_X), batch_y)
                total, elements = total + loss.item() * n, elements + n
            logits = net.forward(dataset)
        losses = torch.nn.functional.cross_entropy(
            logits, dataset.y.long(), reduction="none"
        ).numpy()
        element_weight = np.repeat(weight, lengths) if per_step else weight
        expected = (element_weight * losses).sum() / element_weight.sum()
        assert total / elements == pytest.approx(expected, rel=1e-4)


class TestInputOrder:
    def test_skorch_outputs_come_in_input_order(self, marker_data):
        """The net's own predict_proba, predict and forward_iter follow X's order."""
        X, y = marker_data
        clf = LSTMClassifier(**QUICK).fit(X, y)
        data = clf._prepare(X)
        np.testing.assert_allclose(
            clf.net_.predict_proba(data), clf.predict_proba(X), rtol=1e-5
        )
        np.testing.assert_array_equal(
            clf.classes_[clf.net_.predict(data)], clf.predict(X)
        )
        (outputs,) = clf.net_.forward_iter(data)
        assert len(outputs) == len(X)

    @pytest.mark.parametrize("Estimator", [LSTMClassifier, LSTMTagger])
    def test_epoch_scoring_accuracy(self, Estimator, marker_data):
        """A skorch EpochScoring('accuracy') callback scores what the estimator does."""
        X, labels = marker_data
        y = [[label] * len(x) for x, label in zip(X, labels, strict=True)]
        y = y if Estimator is LSTMTagger else labels
        scoring = EpochScoring("accuracy", on_train=True, name="train_acc")
        estimator = Estimator(**QUICK, callbacks=[scoring]).fit(X, y)
        assert estimator.history_[-1, "train_acc"] == pytest.approx(
            estimator.score(X, y)
        )

    def test_epoch_scoring_with_sample_weight(self, marker_data):
        """Scoring on the validation split works when batches carry weights."""
        X, y = marker_data
        scoring = EpochScoring("accuracy", name="valid_acc")
        clf = LSTMClassifier(**QUICK, early_stopping=True, callbacks=[scoring])
        clf.fit(X, y, sample_weight=np.ones(len(X)))
        assert 0 <= clf.history_[-1, "valid_acc"] <= 1


class TestPredictionSettings:
    def test_prediction_batches_follow_batch_size(self, marker_data):
        """A batch_size set after fit sets the size of prediction batches; "auto"
        predicts in batches of twice the size the fit chose."""
        X, y = marker_data
        clf = LSTMClassifier(**QUICK).fit(X, y)
        sizes = []
        hook = clf.net_.module_.register_forward_hook(
            lambda module, args, kwargs, output: sizes.append(len(output)),
            with_kwargs=True,
        )
        try:
            clf.set_params(batch_size=4).predict(X)
            assert max(sizes) == 8  # prediction batches are 2 * batch_size
            sizes.clear()
            clf.set_params(batch_size="auto").predict(X)  # the size fit chose
            assert max(sizes) == min(len(X), 2 * clf.batch_size_)
        finally:
            hook.remove()

    def test_training_batches_come_from_a_torch_data_loader(self, marker_data):
        """Training and prediction iterate torch DataLoaders whose batch sampler
        buckets by length, shuffled for training only."""
        from sklstm.data import BucketBatchSampler

        X, y = marker_data
        clf = LSTMClassifier(**QUICK).fit(X, y)
        dataset = _encoded(clf, X, y)
        for training in (True, False):
            loader = clf.net_.get_iterator(dataset, training=training)
            assert isinstance(loader, torch.utils.data.DataLoader)
            assert isinstance(loader.batch_sampler, BucketBatchSampler)
            assert loader.batch_sampler.shuffle is training


class TestDevices:
    def test_move_to_moves_optimizer_state(self, marker_data):
        """Moving the net moves the module, the criterion and the optimizer state."""
        X, y = marker_data
        net = LSTMClassifier(**QUICK, class_weight="balanced").fit(X, y).net_
        net.move_to("meta")
        tensors = [
            *net.module_.parameters(),
            *net.criterion_.buffers(),
            *(
                value
                for state in net.optimizer_.state.values()
                for key, value in state.items()
                if key != "step"  # torch keeps Adam's step count on the CPU
            ),
        ]
        assert tensors and all(t.device.type == "meta" for t in tensors)

    def test_warm_start_moves_the_net_to_a_new_device(self, marker_data, monkeypatch):
        """A warm-start fit runs on the device asked for now, not the one of before."""
        X, y = marker_data
        clf = LSTMClassifier(**QUICK, warm_start=True).fit(X, y)
        moved = []

        def move_to(net, device):
            moved.append(device)
            raise RuntimeError("stop before training on the device")

        monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
        monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
        monkeypatch.setattr(SequenceNet, "move_to", move_to)
        with pytest.raises(RuntimeError, match="stop before training"):
            clf.set_params(device="cuda").fit(X, y)
        assert moved == ["cuda"]

    def test_frozen_embedding_stays_frozen_after_pickling(self):
        """freeze_embeddings survives pickling: a warm start does not train it."""
        X = [["good", "film"], ["bad", "film"]] * 20
        y = ["pos", "neg"] * 20
        vectors = {"good": [1.0, 0.0], "bad": [0.0, 1.0], "film": [0.5, 0.5]}
        clf = LSTMClassifier(
            **{**QUICK, "embedding_dim": None},
            pretrained_embeddings=vectors,
            freeze_embeddings=True,
            warm_start=True,
        ).fit(X, y)
        loaded = pickle.loads(pickle.dumps(clf))
        before = loaded.net_.module_.embedding.weight.detach().clone()
        assert not loaded.net_.module_.embedding.weight.requires_grad
        loaded.fit(X, y)
        assert torch.equal(loaded.net_.module_.embedding.weight, before)


class _DeviceAudit(TorchDispatchMode):
    """Records every torch operation whose tensors sit on more than one device.

    A 0-dim CPU tensor is a scalar that any device accepts, so it does not count.
    """

    def __init__(self):
        super().__init__()
        self.mixed = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        leaves = pytree.tree_leaves((args, kwargs or {}))
        devices = {
            leaf.device
            for leaf in leaves
            if isinstance(leaf, torch.Tensor)
            and not (leaf.dim() == 0 and leaf.device.type == "cpu")
        }
        if len(devices) > 1:
            self.mixed.append((str(func), sorted(map(str, devices))))
        return func(*args, **(kwargs or {}))


def _audit_cases():
    rng = np.random.RandomState(0)
    lengths = rng.randint(1, 12, 48)
    words = [list(rng.choice(["The", "dog", "runs", "far"], n)) for n in lengths]
    series = [rng.normal(size=(n, 3)) for n in lengths]
    flags = np.arange(48) % 2
    weight = rng.uniform(0.5, 2, 48)
    cases = {
        f"classifier-{pooling}-{'bi' if bi else 'uni'}": (
            LSTMClassifier(pooling=pooling, bidirectional=bi, class_weight="balanced"),
            words,
            flags,
        )
        for pooling in ("last", "mean", "max", "attention")
        for bi in (False, True)
    }
    cases["tagger-chars"] = (
        LSTMTagger(
            char_embedding_dim=8,
            bidirectional=True,
            class_weight="balanced",
            token_dropout=0.3,
        ),
        words,
        [list(w) for w in words],
    )
    cases["multilabel"] = (
        LSTMMultiLabel(class_weight="balanced", pooling="attention"),
        words,
        [{"odd"} if f else {"even", "any"} for f in flags],
    )
    cases["regressor-gru"] = (
        LSTMRegressor(cell="gru", num_layers=2, dropout=0.2, pooling="mean"),
        series,
        rng.normal(size=48),
    )
    return {name: (*case, weight) for name, case in cases.items()}


AUDIT_CASES = _audit_cases()


@pytest.mark.parametrize("case", AUDIT_CASES)
def test_no_operation_mixes_devices(case):
    """Training and prediction steps run every operation on the net's device.

    The fitted net is moved to the ``meta`` device (tensors without data), and one
    training step and one prediction step run through the net's own code path
    (batches moved by skorch, the loss with class and sample weights, backward).
    A tensor made on the CPU by mistake shows up as an operation on two devices:
    the same mistake would break ``device="cuda"``.
    """
    estimator, X, y, weight = AUDIT_CASES[case]
    estimator.set_params(**{**QUICK, "max_epochs": 1}).fit(X, y, sample_weight=weight)
    net = estimator.net_.move_to("meta")
    batch = next(iter(net.get_iterator(_encoded(estimator, X, y, weight), True)))
    audit = _DeviceAudit()
    with audit:
        net.train_step_single(batch)
        outputs = net.evaluation_step(batch)
    assert outputs.device.type == "meta"
    assert audit.mixed == []


def test_epoch_table_is_plain_in_logs_and_has_the_stopping_epoch(marker_data, capsys):
    """verbose=1 with stdout redirected writes no ANSI codes, and the epoch on
    which early stopping fired has its row: one row per epoch in n_iter_."""
    X, y = marker_data
    clf = LSTMClassifier(
        **{**FAST, "max_epochs": 50, "lr": 0.05},
        early_stopping=True,
        n_iter_no_change=2,
        verbose=1,
    ).fit(X, y)
    out = capsys.readouterr().out
    assert "\x1b[" not in out
    assert clf.n_iter_ < 50  # it did stop early
    rows = [line for line in out.splitlines() if line.strip()[:1].isdigit()]
    assert len(rows) == clf.n_iter_


class Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("stream", [Terminal, io.StringIO], ids=["terminal", "file"])
def test_verbose_2_draws_a_progress_bar_on_a_terminal_only(monkeypatch, stream):
    from skorch.callbacks import ProgressBar

    output = stream()
    monkeypatch.setattr(sys, "stderr", output)
    rng = np.random.RandomState(0)
    X = [rng.randn(rng.randint(3, 9), 2) for _ in range(64)]
    y = [int(x[:, 0].sum() > 0) for x in X]
    clf = LSTMClassifier(
        hidden_size=4, max_epochs=2, batch_size=16, verbose=2, random_state=0
    ).fit(X, y)
    bars = [c for _, c in clf.net_.callbacks_ if isinstance(c, ProgressBar)]
    if stream is Terminal:
        assert len(bars) == 1
        # the epoch's 4 batches and their rate (redrawn at most every 0.1 s)
        assert "/4 [" in output.getvalue() and "it/s" in output.getvalue()
    else:
        assert bars == [] and output.getvalue() == ""


def test_a_learning_rate_schedule_of_ones_own_replaces_the_adaptive_one():
    """With a held-out part, the user's LRScheduler runs alone (before, skorch
    grouped sklstm's with it, ahead of the score it reads: the fit failed)."""
    from skorch.callbacks import LRScheduler
    from torch.optim.lr_scheduler import CosineAnnealingLR

    rng = np.random.RandomState(0)
    X = [rng.randn(rng.randint(3, 9), 2) for _ in range(120)]
    y = [int(x[:, 0].sum() > 0) for x in X]
    clf = LSTMClassifier(
        hidden_size=4,
        max_epochs=6,
        lr=0.01,
        early_stopping=True,
        n_iter_no_change=10,
        tol=1.0,  # nothing improves by 1: the adaptive rate would halve at once
        callbacks=[LRScheduler(CosineAnnealingLR, T_max=6)],
        random_state=0,
    ).fit(X, y)
    cosine = [0.01 * (1 + math.cos(math.pi * epoch / 6)) / 2 for epoch in range(6)]
    np.testing.assert_allclose([row["event_lr"] for row in clf.history_], cosine)
