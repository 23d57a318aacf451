"""Run by tests/test_checkpoints.py in a subprocess: one fit with a checkpoint
directory, killed with SIGKILL at the end of an epoch if asked, writing its
predictions otherwise.

Usage: checkpoint_worker.py ESTIMATOR CHECKPOINT_DIR OUT [KILL_AFTER_EPOCH]
"""

import os
import signal
import sys

import numpy as np
from skorch.callbacks import Callback

from sklstm import LSTMClassifier, LSTMTagger


def classifier_task():
    """1,200 series (a held-out part for early stopping, whose best epoch is the
    third; the rate halves on a plateau in the eighth), the class saying whether
    the features' product sums above 0."""
    rng = np.random.RandomState(0)
    X = [rng.randn(rng.randint(3, 20), 2).astype(np.float32) for _ in range(1200)]
    y = np.array([int((x[:, 0] * x[:, 1]).sum() > 0) for x in X])
    estimator = LSTMClassifier(max_epochs=8, hidden_size=16, lr=3e-4, random_state=0)
    return estimator, X, y


def tagger_task():
    rng = np.random.RandomState(0)
    words = ["apple", "egg", "ink", "bat", "cat", "dog", "owl", "sun"]
    X = [list(rng.choice(words, rng.randint(1, 13))) for _ in range(300)]
    y = [[w[0] in "aeiou" for w in x] for x in X]
    return LSTMTagger(max_epochs=6, hidden_size=8, random_state=0), X, y


TASKS = {"classifier": classifier_task, "tagger": tagger_task}


class KillAfter(Callback):
    """SIGKILL at the end of epoch ``epoch``, before its checkpoint is written."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.epoch:
            os.kill(os.getpid(), signal.SIGKILL)


def main(task, directory, out, kill_after=None):
    estimator, X, y = TASKS[task]()
    callbacks = [KillAfter(int(kill_after))] if kill_after else None
    estimator.set_params(checkpoint_dir=directory or None, callbacks=callbacks)
    estimator.fit(X, y)
    outputs = estimator.predict_proba(X)
    if isinstance(outputs, list):  # the tagger: one array per sequence
        outputs = np.concatenate(outputs)
    history = [
        [row["train_loss"], row.get("valid_loss", 0.0), row.get("event_lr", 0.0)]
        for row in estimator.history_
    ]
    np.savez(out, outputs=outputs, history=np.array(history))


if __name__ == "__main__":
    main(*sys.argv[1:])
