"""Run by tests/test_distributed.py under ``torchrun --nproc_per_node=2``: fits the
scenarios below data-parallel and writes what each rank ended with to
``<out>/<scenario>-<rank>.pkl``, for the test to compare with single-process fits.
"""

import os
import pickle
import signal
import sys
import warnings

import numpy as np
import torch.distributed as dist
from skorch.callbacks import Callback

from sklstm import LSTMClassifier, LSTMSeq2Seq, LSTMTagger


def series_task(n, seed=0):
    """Sequences of 3-20 steps of 2 features; the class says whether the first
    feature sums above 0."""
    rng = np.random.RandomState(seed)
    X = [rng.randn(rng.randint(3, 21), 2).astype(np.float32) for _ in range(n)]
    return X, np.array([int(x[:, 0].sum() > 0) for x in X])


def tag_task(n, seed=0):
    """Word sequences of 1-12 words tagged by whether a word is a vowel's."""
    rng = np.random.RandomState(seed)
    words = ["apple", "egg", "ink", "bat", "cat", "dog", "owl", "sun"]
    X = [list(rng.choice(words, rng.randint(1, 13))) for _ in range(n)]
    return X, [[w[0] in "aeiou" for w in x] for x in X], rng.rand(n) + 0.5


#: one optimizer step of plain SGD, where the loss's scale shows in the update
ONE_STEP = {
    "optimizer": "sgd",
    "lr": 0.5,
    "max_epochs": 1,
    "early_stopping": False,
    "tol": None,
    "dropout": 0.0,
    "hidden_size": 8,
    "random_state": 0,
}
TRAIN = {
    "max_epochs": 8,
    "hidden_size": 16,
    "batch_size": 16,
    "dropout": 0.2,  # draws that differ between ranks
    "random_state": 0,
}


class At(Callback):
    """Does ``action`` on one rank, at the end of an epoch or of a batch."""

    def __init__(self, rank, action, epoch, batch=None):
        self.rank, self.action, self.epoch, self.batch = rank, action, epoch, batch

    def on_batch_end(self, net, training=False, **kwargs):
        here = len(net.history) == self.epoch and training
        if here and self.batch == len(net.history[-1]["batches"]):
            self._act()

    def on_epoch_end(self, net, **kwargs):
        if self.batch is None and len(net.history) == self.epoch:
            self._act()

    def _act(self):
        if dist.get_rank() == self.rank:
            self.action()


def stop():
    raise KeyboardInterrupt  # as skorch's EarlyStopping ends training


def fail():
    raise ValueError("a failure on rank 1")


def interrupt():
    os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C


def state(estimator):
    return {
        name: value.cpu().numpy()
        for name, value in estimator.net_.module_.state_dict().items()
    }


def ended(estimator):
    return {"state": state(estimator), "epochs": estimator.n_iter_}


def main(out):
    rank = dist.get_rank() if dist.is_initialized() else int(os.environ["RANK"])
    X, y = series_task(16)
    words, tags, weights = tag_task(16)
    X_train, y_train = series_task(1200, seed=1)
    X_test, y_test = series_task(400, seed=2)
    scenarios = {
        "step": lambda: ended(
            LSTMClassifier(batch_size=8, conv_filters=None, **ONE_STEP).fit(X, y)
        ),
        "tagger_step": lambda: ended(
            LSTMTagger(batch_size=8, **ONE_STEP).fit(words, tags, weights)
        ),
        "train": lambda: _train(X_train, y_train, X_test, rank, out),
        "seq2seq": lambda: ended(
            LSTMSeq2Seq(max_epochs=2, hidden_size=8, random_state=0).fit(
                words, [w[::-1] for w in words]
            )
        ),
        "stop": lambda: ended(
            LSTMClassifier(**TRAIN, callbacks=[At(1, stop, epoch=2)]).fit(
                X_train, y_train
            )
        ),
        "interrupt": lambda: ended(
            LSTMClassifier(**TRAIN, callbacks=[At(1, interrupt, 2, batch=3)]).fit(
                X_train, y_train
            )
        ),
        "failure": lambda: ended(
            LSTMClassifier(**TRAIN, callbacks=[At(1, fail, 2, batch=3)]).fit(
                X_train, y_train
            )
        ),
        "different_data": lambda: ended(
            LSTMClassifier(**TRAIN).fit(X_train, y_train if rank == 0 else 1 - y_train)
        ),
    }
    # resume runs on its own, under torchrun --max-restarts
    wanted = sys.argv[2:] or [name for name in scenarios if name != "resume"]
    scenarios["resume"] = lambda: _resume(X_train, y_train, X_test, out)
    for name, scenario in scenarios.items():
        if name not in wanted:
            continue
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = scenario()
            except Exception as error:  # what the rank failed with
                result = {"error": (type(error).__name__, str(error))}
        result["warnings"] = [str(w.message) for w in caught]
        with open(os.path.join(out, f"{name}-{rank}.pkl"), "wb") as file:
            pickle.dump(result, file)


def _train(X_train, y_train, X_test, rank, out):
    estimator = LSTMClassifier(**TRAIN).fit(X_train, y_train)
    if rank == 0:
        with open(os.path.join(out, "train-estimator.pkl"), "wb") as file:
            pickle.dump(estimator, file)
    return {
        **ended(estimator),
        "batches": [row["train_batch_count"] for row in estimator.history_],
        "losses": [row["train_loss"] for row in estimator.history_],
        "proba": estimator.predict_proba(X_test),
        "distributed_": estimator.distributed_,
    }


def kill():
    os.kill(os.getpid(), signal.SIGKILL)


def _resume(X_train, y_train, X_test, out):
    """As "train", with checkpoints: the first attempt (no checkpoint yet) has rank
    1 killed at the end of epoch 3; the attempt after it resumes."""
    directory = os.path.join(out, "checkpoints")
    first = not (os.path.isdir(directory) and os.listdir(directory))
    dist.init_process_group("gloo")  # both ranks have looked before either writes
    estimator = LSTMClassifier(
        **TRAIN,
        checkpoint_dir=directory,
        callbacks=[At(1, kill, epoch=3)] if first else None,
    ).fit(X_train, y_train)
    return {
        **ended(estimator),
        "losses": [row["train_loss"] for row in estimator.history_],
        "proba": estimator.predict_proba(X_test),
        "restart": os.environ["TORCHELASTIC_RESTART_COUNT"],
    }


if __name__ == "__main__":
    main(sys.argv[1])
