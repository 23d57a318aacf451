"""skorch callbacks that sklstm adds to every training run."""

import copy
import math
import sys

from skorch import callbacks
from skorch.callbacks import (
    Callback,
    EpochScoring,
    PassthroughScoring,
    PrintLog,
    ProgressBar,
)
from skorch.utils import Ansi

__all__ = [
    "DivergenceGuard",
    "EarlyStopping",
    "EpochLog",
    "EpochLoss",
    "EpochScore",
    "progress_bar",
]


class EarlyStopping(callbacks.EarlyStopping):
    """skorch's ``EarlyStopping``, which can also stop once the monitored loss has
    fallen to ``floor`` times its first epoch's.

    Watching the training loss (no held-out part), a network that has come down
    to 1% of its starting loss fits its training data: more epochs only sharpen
    its confidence, and on small series data sets they cost most of the fit time
    while the test accuracy stays level or falls (see ``TRAINING_LOSS_FLOOR`` in
    :mod:`sklstm.shared`).

    Parameters
    ----------
    floor : float or None, default=None
        The share of the first epoch's loss at which training stops; None never.
    **kwargs
        skorch's ``EarlyStopping`` parameters.
    """

    def __init__(self, *, floor=None, **kwargs):
        super().__init__(**kwargs)
        self.floor = floor

    def on_train_begin(self, net, **kwargs):
        super().on_train_begin(net, **kwargs)
        self.first_ = None
        self.floor_reached_ = False

    def on_epoch_end(self, net, **kwargs):
        super().on_epoch_end(net, **kwargs)  # records the epoch as the best so far
        if self.floor is None:
            return
        loss = net.history[-1, self.monitor]
        if self.first_ is None:
            self.first_ = loss
        elif loss <= self.floor * self.first_:
            self.floor_reached_ = True
            raise KeyboardInterrupt  # as skorch's EarlyStopping stops

    @property
    def stopped_(self):
        """Whether this callback ended training."""
        return self.misses_ >= self.patience or self.floor_reached_


class EpochLoss(PassthroughScoring):
    """skorch's epoch loss (the batches' losses averaged by batch size); in
    data-parallel training, over every rank's batches, so that every rank records
    the same figure and takes the same decisions on it."""

    def on_epoch_end(self, net, **kwargs):
        self.ranks_ = net.ranks_
        super().on_epoch_end(net, **kwargs)

    def get_avg_score(self, history):
        if self.ranks_ is None:
            return super().get_avg_score(history)
        size = "train_batch_size" if self.on_train else "valid_batch_size"
        batches = history[-1, "batches", :, [size, self.name]]
        total, count = self.ranks_.sum(
            sum(n * loss for n, loss in batches), sum(n for n, _ in batches)
        )
        return total / count


class EpochScore(EpochScoring):
    """skorch's ``EpochScoring``; in data-parallel training, averaged over the
    ranks (each scores the whole validation part, with its own batch
    normalisation statistics), so that every rank takes the same decisions."""

    def on_epoch_end(self, net, **kwargs):
        self.ranks_ = net.ranks_
        super().on_epoch_end(net, **kwargs)

    def _record_score(self, history, current_score):
        if self.ranks_ is not None:
            current_score = self.ranks_.mean(current_score)
        super()._record_score(history, current_score)


class EpochLog(PrintLog):
    """skorch's table of per-epoch losses (``verbose=1``), fit for logs.

    Best values are coloured only where the table goes to a terminal: redirected
    to a file or a CI log, it holds no ANSI escape codes. And the epoch on which
    early stopping ends training has its row too (skorch's ``EarlyStopping`` stops
    before ``PrintLog`` prints it).
    """

    def initialize(self):
        super().initialize()
        self.printed_ = 0
        return self

    def format_row(self, row, key, color):
        if self.sink is print and sys.stdout.isatty():
            return super().format_row(row, key, color)
        formatted = super().format_row(row, key, "")
        if isinstance(formatted, str):
            return formatted.replace(Ansi.ENDC.value, "")
        return formatted

    def on_epoch_end(self, net, **kwargs):
        super().on_epoch_end(net, **kwargs)
        self.printed_ = len(net.history)

    def on_train_end(self, net, **kwargs):
        complete = net.history and "train_loss" in net.history[-1]
        if complete and len(net.history) > self.printed_:
            self.on_epoch_end(net)


class DivergenceGuard(Callback):
    """Stop diverging training, keeping the weights of its lowest-loss epoch.

    Training has diverged when a batch's loss is NaN or infinite, or when an
    epoch's training loss exceeds ``factor`` times its scale: the loss of the run's
    first training batch (nearly the starting point), or 1 where that is less.
    sklstm's losses start near 1 (cross-entropies of a few classes, standardised
    regression targets), and the floor of 1 means a model that fits its data well,
    whose loss falls toward 0 (or a first batch whose sample weights are all zero,
    whose loss is 0), is never called diverged. The weights of the lowest-loss
    epoch (or those the run started from) are restored, the optimizer's state is
    reset (its moments have seen the divergent gradients, and a warm start with a
    smaller learning rate must not inherit them), the broken epoch is dropped from
    the history, and :class:`FloatingPointError` says where it happened and which
    learning rate was used.

    Parameters
    ----------
    factor : float, default=1000
        How far above its scale the loss may rise before training counts as
        diverged. Ordinary noise, and spikes from a near-zero loss, stay well below.
    """

    def __init__(self, factor=1000.0):
        self.factor = factor

    def on_train_begin(self, net, **kwargs):
        self.first_loss_ = None
        self._remember(net, math.inf)

    def on_epoch_begin(self, net, **kwargs):
        self._batches = {True: 0, False: 0}  # training, validation batches so far

    def _remember(self, net, loss):
        self.best_loss_ = loss
        self.best_epoch_ = len(net.history) - (
            1 if net.history and "train_loss" not in net.history[-1] else 0
        )
        self.best_weights_ = copy.deepcopy(net.module_.state_dict())

    def on_batch_end(self, net, batch=None, training=None, loss=None, **kwargs):
        value = loss.item()
        self._batches[training] += 1
        if not math.isfinite(value):
            part = "training" if training else "validation"
            self._stop(
                net,
                f"The {part} loss became {value} in epoch {len(net.history)} "
                f"({part} batch {self._batches[training]})",
            )
        if training and self.first_loss_ is None:
            self.first_loss_ = value

    def on_epoch_end(self, net, **kwargs):
        loss = net.history[-1, "train_loss"]
        scale = max(self.first_loss_, 1.0)
        if loss > self.factor * scale:
            self._stop(
                net,
                f"Training diverged: the training loss rose to {loss:.4g} in epoch "
                f"{len(net.history)}, over {self.factor:g} times its scale "
                f"({scale:.4g}: the first batch's loss, at least 1)",
            )
        if loss < self.best_loss_:
            self._remember(net, loss)

    def _stop(self, net, what):
        net.module_.load_state_dict(self.best_weights_)
        net.initialize_optimizer()
        del net.history[-1]
        kept = (
            f"the weights after epoch {self.best_epoch_}"
            if self.best_epoch_
            else "its initial weights"
        )
        raise FloatingPointError(
            f"{what}; the estimator keeps {kept}. Try a smaller learning rate "
            f"(lr={net.lr}) or set gradient_clip."
        )


def progress_bar(verbose):
    """``[ProgressBar]`` for a run with ``verbose >= 2`` whose bar would reach a
    terminal: skorch's bar of batches done, their rate and the epoch's time left
    (tqdm), which would fill a log file with redrawn lines."""
    if verbose < 2 or not sys.stderr.isatty():  # tqdm draws on stderr
        return []
    return [ProgressBar()]  # tqdm comes with skorch, which imports it
