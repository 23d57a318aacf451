"""Output heads: the shared net trains, validates and predicts through whatever
head an estimator brings, weighing its loss as the head says."""

import numpy as np
import pytest
import torch
from conftest import FAST
from torch import nn

from sklstm import LSTMTagger
from sklstm.base import SequenceEstimator
from sklstm.heads import Head, TagHead

#: settings that train the small tasks below in a few seconds
QUICK = {**FAST, "lr": 0.03, "dropout": 0.0}


class SequenceNLL(nn.Module):
    """A stand-in for a CRF's negative log-likelihood: one number per sequence,
    the sum of its real steps' cross-entropies (a CRF's is the sum of its
    transition and emission scores less the log-partition)."""

    def __init__(self, weight=None, reduction="mean"):
        super().__init__()

    def forward(self, input, target):
        steps = nn.functional.cross_entropy(
            input.transpose(1, 2), target, reduction="none"
        )  # (B, T), 0 at padding (ignore_index)
        return steps.sum(dim=1)  # (B,)


class SequenceLossHead(TagHead):
    """Per-step outputs and targets, a loss per sequence."""

    loss = SequenceNLL
    kind = None  # no numpy twin
    loss_per_step = False


class SequenceLossTagger(LSTMTagger):
    _head = SequenceLossHead


class StepValues:
    """One real value per step, standardised (the per-step regression targets)."""

    needs_classes = False
    classes_ = None
    n_outputs = 1

    def fit_transform(self, y, lengths, classes=None):
        steps = np.concatenate(y)
        self.mean_, self.scale_ = steps.mean(), steps.std()
        return self.transform(y, lengths)

    def transform(self, y, lengths):
        steps = (np.concatenate(y) - self.mean_) / self.scale_
        return steps[:, None].astype(np.float32)  # (n_steps, 1), as the outputs

    def inverse_transform(self, outputs, lengths):
        values = outputs[:, 0] * self.scale_ + self.mean_
        return np.split(values, np.cumsum(lengths)[:-1])

    def loss_weights(self, class_weight, encoded):
        return {}


class StepValueHead(Head, StepValues):
    """A value per real step, with torch's own squared error: padding steps are
    NaN in the targets, so the criterion gives NaN there."""

    loss = nn.MSELoss
    per_step = True

    def predict_encoded(self, outputs):
        return outputs


class StepRegressor(SequenceEstimator):
    _head = StepValueHead
    _sequence_targets = True

    def predict(self, X):
        return self.head_.predict(*self._forward(X))


def _one_batch_loss(model, X, y, weight):
    """``(get_loss of all of X, y in one batch, the dataset, the encoded y)``,
    with the module in evaluation mode (no dropout)."""
    net = model.net_
    net.module_.eval()
    data = model._read_inputs(X, None, reset=False)
    targets = model.head_.transform(y, data.lengths.numpy())
    dataset = data.with_targets(targets, True, weight)
    batch_X, batch_y = dataset.batch(torch.arange(len(X)))
    with torch.no_grad():
        loss = net.get_loss(net.module_(**batch_X), batch_y).item()
    return loss, dataset, targets


def _alone(net, dataset, i):
    """Module outputs ``(T_i, C)`` of sequence ``i`` run on its own."""
    batch, _ = dataset.batch(torch.tensor([i]))
    with torch.no_grad():
        return net.module_(**batch)[0]


@pytest.fixture(scope="module")
def tagging():
    """Tag each token by whether an "x" came before it: needs the recurrence."""
    rng = np.random.RandomState(0)
    X, y = [], []
    for _ in range(200):
        tokens = list(rng.choice(["a", "b", "x"], rng.randint(2, 12)))
        seen = np.cumsum([t == "x" for t in tokens]) > 0
        X.append(tokens)
        y.append(np.where(seen, "after", "before"))
    return X, y


class TestPerSequenceLoss:
    def test_loss_is_the_mean_over_sequences(self, tagging):
        """get_loss on a batch of mixed lengths is the weighted mean of the
        per-sequence losses, each computed on its sequence alone; not weighted by
        length, as averaging per real step would."""
        X, y = tagging
        model = SequenceLossTagger(**{**QUICK, "max_epochs": 1}).fit(X[:40], y[:40])
        weight = np.linspace(0.5, 2.0, 40)
        loss, dataset, _ = _one_batch_loss(model, X[:40], y[:40], weight)
        per_sequence = []
        for i in range(40):
            targets = torch.as_tensor(model.head_.transform([y[i]], [len(y[i])]))
            logits = _alone(model.net_, dataset, i)
            per_sequence.append(
                nn.functional.cross_entropy(logits, targets, reduction="sum").item()
            )
        # the dataset scales weights to a mean of 1 per target step
        scale = np.average(weight, weights=[len(t) for t in y[:40]])
        expected = np.sum(weight / scale * per_sequence) / 40
        assert loss == pytest.approx(expected, rel=1e-5)

    def test_trains_validates_and_predicts(self, tagging):
        """Through the shared net: early stopping scores its predictions on the
        held-out part, and predict gives each step's label in X's order, as the
        module run on each sequence alone does."""
        X, y = tagging
        model = SequenceLossTagger(**{**QUICK, "max_epochs": 30}, early_stopping=True)
        model.fit(X, y)
        assert "valid_score" in model.history_[-1]
        assert model.history_[-1, "valid_score"] > 0.95
        predicted = model.predict(X[:20])
        data = model._read_inputs(X[:20], None, reset=False)
        for i, tags in enumerate(predicted):
            alone = _alone(model.net_, data, i).argmax(dim=-1).numpy()
            np.testing.assert_array_equal(tags, model.classes_[alone])
        assert model.score(X, y) > 0.95


@pytest.fixture(scope="module")
def series():
    """Each step's target is the running mean of the series so far."""
    rng = np.random.RandomState(1)
    X = [rng.normal(size=rng.randint(2, 15)) for _ in range(200)]
    y = [np.cumsum(x) / np.arange(1, len(x) + 1) for x in X]
    return X, y


class TestPerStepValues:
    def test_loss_is_weighted_per_real_step(self, series):
        """get_loss is the sample-weighted mean squared error over real steps
        only (NaN padding never reaches it), each step's error computed on its
        sequence alone."""
        X, y = series
        model = StepRegressor(**{**QUICK, "max_epochs": 1}).fit(X[:30], y[:30])
        weight = np.linspace(0.2, 3.0, 30)
        loss, dataset, targets = _one_batch_loss(model, X[:30], y[:30], weight)
        errors = np.concatenate(
            [_alone(model.net_, dataset, i)[:, 0].numpy() for i in range(30)]
        )
        lengths = dataset.lengths.numpy()
        squared = (errors - targets[:, 0]) ** 2
        expected = np.average(squared, weights=np.repeat(weight, lengths))
        assert np.isfinite(loss)
        assert loss == pytest.approx(expected, rel=1e-5)

    def test_fits_and_predicts_per_step(self, series):
        """It learns the running mean, and predicts one value per step."""
        X, y = series
        model = StepRegressor(**{**QUICK, "max_epochs": 40}).fit(X, y)
        predicted = model.predict(X[:50])
        assert [len(p) for p in predicted] == [len(x) for x in X[:50]]
        error = np.concatenate(predicted) - np.concatenate(y[:50])
        assert np.sqrt(np.mean(error**2)) < 0.5 * np.std(np.concatenate(y[:50]))
