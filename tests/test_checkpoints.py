"""Checkpoints and resume: fits killed with SIGKILL in a subprocess resume to an
uninterrupted fit's predictions; broken checkpoints are refused."""

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import checkpoint_worker as worker
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from skorch.callbacks import Callback

import sklstm.checkpoints
from sklstm import LSTMClassifier

WORKER = str(Path(worker.__file__))


def fit_in_subprocess(task, directory, out, kill_after=None):
    environment = {**os.environ, "OMP_NUM_THREADS": "2"}  # as for every run here
    command = [sys.executable, WORKER, task, str(directory), str(out)]
    return subprocess.run(
        command + ([str(kill_after)] if kill_after else []),
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.parametrize("task", ["classifier", "tagger"])
def test_a_fit_killed_after_two_checkpoints_resumes_to_the_uninterrupted_result(
    tmp_path, task
):
    directory = tmp_path / "checkpoints"
    killed = fit_in_subprocess(task, directory, tmp_path / "unused.npz", kill_after=3)
    assert killed.returncode == -9  # SIGKILL
    (checkpoint,) = directory.iterdir()  # epoch 2's
    resumed = fit_in_subprocess(task, directory, tmp_path / "resumed.npz")
    assert resumed.returncode == 0, resumed.stderr
    assert "Resuming from the checkpoint" in resumed.stderr
    assert "after epoch 2" in resumed.stderr
    assert list(directory.iterdir()) == []  # removed once the fit ended
    alone = fit_in_subprocess(task, "", tmp_path / "alone.npz")
    assert alone.returncode == 0, alone.stderr
    with np.load(tmp_path / "resumed.npz") as a, np.load(tmp_path / "alone.npz") as b:
        # predictions, and each epoch's losses and learning rate
        for name in ("outputs", "history"):
            np.testing.assert_array_equal(a[name], b[name])


def small_task(n=120):
    rng = np.random.RandomState(1)
    X = [rng.randn(rng.randint(3, 12), 2).astype(np.float32) for _ in range(n)]
    return X, np.array([int(x[:, 0].sum() > 0) for x in X])


SMALL = {"max_epochs": 6, "hidden_size": 8, "random_state": 0, "tol": None}


class Crash(Callback):
    """Fails at the end of epoch ``epoch`` (before its checkpoint)."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.epoch:
            raise RuntimeError("crash")


def crash(directory, epoch, **params):
    X, y = small_task()
    estimator = LSTMClassifier(
        **{**SMALL, **params}, checkpoint_dir=directory, callbacks=[Crash(epoch)]
    )
    with pytest.raises(RuntimeError, match="crash"):
        estimator.fit(X, y)


def resume(directory, **params):
    X, y = small_task()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        estimator = LSTMClassifier(**{**SMALL, **params}, checkpoint_dir=directory)
        estimator.fit(X, y)
    messages = [str(w.message) for w in caught if "Resuming" in str(w.message)]
    return estimator, messages


def test_fits_of_a_search_sharing_a_directory_each_resume_their_own(tmp_path):
    crash(tmp_path, 2, hidden_size=8)
    crash(tmp_path, 3, hidden_size=12)
    assert len(list(tmp_path.iterdir())) == 2
    X, y = small_task()
    for hidden_size, epochs in [(8, 1), (12, 2)]:
        estimator, messages = resume(tmp_path, hidden_size=hidden_size)
        assert messages and f"after epoch {epochs}." in messages[0]
        alone = LSTMClassifier(**{**SMALL, "hidden_size": hidden_size}).fit(X, y)
        np.testing.assert_array_equal(
            estimator.predict_proba(X), alone.predict_proba(X)
        )
    assert list(tmp_path.iterdir()) == []


def test_a_crash_while_writing_leaves_the_previous_checkpoint_whole(
    tmp_path, monkeypatch
):
    """The new file is complete before it replaces the old one: a crash between
    writing and renaming leaves the last good checkpoint, which a rerun uses."""
    renames = []

    def rename_once(source, target):
        renames.append(target)
        if len(renames) == 2:
            raise OSError("the machine went down")
        os.rename(source, target)

    monkeypatch.setattr(sklstm.checkpoints.os, "replace", rename_once)
    X, y = small_task()
    with pytest.raises(OSError, match="went down"):
        LSTMClassifier(**SMALL, checkpoint_dir=tmp_path).fit(X, y)
    monkeypatch.undo()
    estimator, messages = resume(tmp_path)
    assert "after epoch 1." in messages[0]
    alone = LSTMClassifier(**SMALL).fit(X, y)
    np.testing.assert_array_equal(estimator.predict_proba(X), alone.predict_proba(X))


def checkpoint_file(directory):
    crash(directory, 2)
    (path,) = [p for p in directory.iterdir() if p.suffix == ".npz"]
    return path


def test_a_truncated_checkpoint_is_refused_and_kept(tmp_path):
    path = checkpoint_file(tmp_path)
    path.write_bytes(path.read_bytes()[:200])
    X, y = small_task()
    with pytest.raises(ValueError, match="truncated or corrupt") as error:
        LSTMClassifier(**SMALL, checkpoint_dir=tmp_path).fit(X, y)
    assert str(path) in str(error.value)
    assert path.stat().st_size == 200  # nothing the user had is overwritten


def test_a_checkpoint_of_another_version_is_refused(tmp_path):
    path = checkpoint_file(tmp_path)
    with np.load(path) as stored:
        arrays = dict(stored)
    document = json.loads(arrays["__document__"].tobytes())
    document["sklstm_version"] = "0.0.1"
    arrays["__document__"] = np.frombuffer(json.dumps(document).encode(), np.uint8)
    np.savez(path, **arrays)
    X, y = small_task()
    with pytest.raises(ValueError, match="written by sklstm 0.0.1"):
        LSTMClassifier(**SMALL, checkpoint_dir=tmp_path).fit(X, y)


def test_a_directory_that_cannot_be_made_is_a_clear_error(tmp_path):
    blocker = tmp_path / "a file"
    blocker.write_text("not a directory")
    X, y = small_task()
    with pytest.raises(OSError, match="cannot be created"):
        LSTMClassifier(**SMALL, checkpoint_dir=blocker / "sub").fit(X, y)


@pytest.mark.parametrize("how", ["partial_fit", "warm_start"])
def test_continued_training_with_checkpoints_is_refused(tmp_path, how):
    X, y = small_task()
    estimator = LSTMClassifier(**SMALL).fit(X, y)
    estimator.set_params(checkpoint_dir=tmp_path, warm_start=how == "warm_start")
    with pytest.raises(ValueError, match=f"{how}.* is not supported with it"):
        if how == "partial_fit":
            estimator.partial_fit(X, y)
        else:
            estimator.fit(X, y)


@pytest.mark.parametrize(
    "params",
    [{}, {"tol": 0.0, "n_iter_no_change": 2, "max_epochs": 40}],
    ids=["all epochs", "stopped early"],
)
def test_a_kept_checkpoint_gives_the_finished_model_again(tmp_path, params):
    X, y = small_task()
    alone = LSTMClassifier(**{**SMALL, **params}).fit(X, y)
    if params:
        assert alone.n_iter_ < params["max_epochs"]
    kept = LSTMClassifier(
        **{**SMALL, **params}, checkpoint_dir=tmp_path, keep_checkpoint=True
    ).fit(X, y)
    assert len(list(tmp_path.iterdir())) == 1
    again, messages = resume(tmp_path, **params, keep_checkpoint=True)
    # a run that stopped early left its last checkpoint one epoch before
    assert f"after epoch {alone.n_iter_ - bool(params)}." in messages[0]
    assert again.n_iter_ == alone.n_iter_
    for estimator in (kept, again):
        np.testing.assert_array_equal(
            estimator.predict_proba(X), alone.predict_proba(X)
        )


def test_the_fits_of_a_grid_search_keep_and_resume_their_own(tmp_path):
    """Each fit of a search (2 settings x 2 folds, and the refit) has a file of its
    own in the shared directory, and the same search run again resumes every fit
    from its own file, to the same scores."""
    X, y = small_task()
    search = GridSearchCV(
        LSTMClassifier(**SMALL, checkpoint_dir=tmp_path, keep_checkpoint=True),
        {"hidden_size": [4, 8]},
        cv=2,
    )
    first = search.fit(X, y).cv_results_["mean_test_score"]
    assert len(list(tmp_path.iterdir())) == 5
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        again = clone(search).fit(X, y).cv_results_["mean_test_score"]
    messages = [str(w.message) for w in caught]
    files = {m.split()[4] for m in messages if m.startswith("Resuming")}
    assert len(files) == 5  # each fit from its own file
    np.testing.assert_array_equal(first, again)
