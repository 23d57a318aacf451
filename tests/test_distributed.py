"""Data-parallel training: 2 gloo ranks of one thread each, launched by torchrun
(tests/distributed_worker.py), against single-process fits in this process."""

import math
import os
import pickle
import subprocess
import sys
from pathlib import Path

import distributed_worker as worker
import numpy as np
import pytest
import torch.distributed as dist

from sklstm import LSTMClassifier, LSTMTagger
from sklstm.distributed import restart_hazard

pytestmark = pytest.mark.skipif(
    not (dist.is_available() and dist.is_gloo_available()),
    reason="torch.distributed with gloo is not available on this platform",
)


def launch(out, *scenarios, timeout=600, restarts=0):
    """``torchrun`` of the worker's ``scenarios`` (all but "resume" by default) on
    2 ranks of one thread each, writing to ``out``, restarting the job up to
    ``restarts`` times; a hang (a rank waiting on a collective that never comes)
    fails at ``timeout``."""
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node=2",
        f"--max-restarts={restarts}",
        str(Path(worker.__file__)),
        str(out),
        *scenarios,
    ]
    # as sklstm's warning asks, for restarts that connect (pytorch/pytorch#135712)
    environment = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "TORCH_DISABLE_SHARE_RDZV_TCP_STORE": "1",
    }
    return subprocess.run(
        command, env=environment, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="module")
def ranks(tmp_path_factory):
    """``{scenario: [rank 0's result, rank 1's]}``, and the folder they are in."""
    out = tmp_path_factory.mktemp("ranks")
    done = launch(out)
    assert done.returncode == 0, done.stderr[-5000:]
    results = {}
    for path in sorted(out.glob("*-[01].pkl")):
        name, rank = path.stem.rsplit("-", 1)
        results.setdefault(name, [None, None])[int(rank)] = pickle.loads(
            path.read_bytes()
        )
    return results, out


def assert_same_state(first, second, atol=0.0):
    assert first.keys() == second.keys()
    for name in first:
        np.testing.assert_allclose(first[name], second[name], rtol=0, atol=atol)


@pytest.mark.parametrize(
    "scenario", ["step", "tagger_step", "train", "seq2seq", "stop", "interrupt"]
)
def test_the_ranks_end_with_the_same_weights(ranks, scenario):
    rank0, rank1 = ranks[0][scenario]
    assert "error" not in rank0 and "error" not in rank1
    assert rank0["epochs"] == rank1["epochs"] > 0
    assert_same_state(rank0["state"], rank1["state"])


def test_one_step_on_two_ranks_is_one_step_on_the_union_batch(ranks):
    """Plain SGD shows the loss's scale: 2 ranks with batches of 8 take the step
    one process takes on the 16 sequences together. (Without the convolutional
    branch: its batch normalisation, as under DDP generally, normalises each
    rank's batch by its own statistics.)"""
    X, y = worker.series_task(16)
    single = LSTMClassifier(
        batch_size=16, conv_filters=None, distributed=False, **worker.ONE_STEP
    )
    assert_same_state(
        worker.state(single.fit(X, y)), ranks[0]["step"][0]["state"], atol=1e-6
    )


def test_per_step_losses_weigh_every_step_of_the_union_batch_alike(ranks):
    """The tagger's loss is a mean over real steps, and the ranks' batches hold
    different numbers of steps (sentences of 1-12 words), with sample weights:
    averaging each rank's mean would weigh a step of the shorter batch more."""
    words, tags, weights = worker.tag_task(16)
    single = LSTMTagger(batch_size=16, distributed=False, **worker.ONE_STEP)
    fitted = single.fit(words, tags, weights)
    assert_same_state(
        worker.state(fitted), ranks[0]["tagger_step"][0]["state"], atol=1e-6
    )


def test_training_on_two_ranks_shares_the_batches_and_learns_as_one_process(ranks):
    results, out = ranks
    rank0, rank1 = results["train"]
    assert rank0["distributed_"] is True
    assert rank0["warnings"] == rank1["warnings"] == []  # torch's deprecations too
    assert rank0["batches"] == rank1["batches"]
    assert rank0["losses"] == rank1["losses"]  # the whole data's, on every rank
    X_train, y_train = worker.series_task(1200, seed=1)
    X_test, y_test = worker.series_task(400, seed=2)
    alone = {**worker.TRAIN, "distributed": False}
    # each rank takes half the batches of one process with the same batch size
    halves = LSTMClassifier(**alone).fit(X_train, y_train).history_
    epochs = min(len(halves), len(rank0["batches"]))
    for shared, whole in zip(
        rank0["batches"][:epochs], halves[:epochs, "train_batch_count"], strict=True
    ):
        assert abs(shared - math.ceil(whole / 2)) <= 1  # batch cuts move a little
    # and learns what one process learns with the same effective batch size
    union = LSTMClassifier(**{**alone, "batch_size": 32}).fit(X_train, y_train)
    accuracy = np.mean(rank0["proba"].argmax(axis=1) == y_test)
    assert accuracy > 0.9
    assert abs(accuracy - union.score(X_test, y_test)) <= 0.03
    # the estimator of rank 0, pickled, predicts in this process alone
    estimator = pickle.loads((out / "train-estimator.pkl").read_bytes())
    np.testing.assert_allclose(
        estimator.predict_proba(X_test), rank0["proba"], atol=1e-6
    )


def test_a_stop_on_one_rank_stops_every_rank_at_the_same_epoch(ranks):
    """A callback on rank 1 alone ends training after epoch 2, as early stopping
    on its own figures would: rank 0 stops there too, not a collective later."""
    for result in ranks[0]["stop"]:
        assert result["epochs"] == 2


def test_ctrl_c_on_one_rank_interrupts_every_rank(ranks):
    """SIGINT to rank 1 alone during epoch 2: every rank ends with epoch 1's
    weights and says so."""
    for result in ranks[0]["interrupt"]:
        assert result["epochs"] == 1
        assert any("interrupted after 1" in w for w in result["warnings"])


def test_an_exception_on_one_rank_fails_every_rank_with_it(ranks):
    for result in ranks[0]["failure"]:
        assert result["error"] == ("ValueError", "a failure on rank 1")


def test_ranks_that_pass_different_data_are_refused(ranks):
    for result in ranks[0]["different_data"]:
        kind, message = result["error"]
        assert kind == "ValueError"
        assert "differ between the 2 ranks" in message


def test_distributed_true_without_a_launcher_is_a_clear_error(monkeypatch):
    for name in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.delenv(name, raising=False)
    X, y = worker.series_task(16)
    with pytest.raises(RuntimeError, match="distributed=True needs a process group"):
        LSTMClassifier(distributed=True, max_epochs=1).fit(X, y)


def test_distributed_auto_trains_alone_without_a_launcher():
    X, y = worker.series_task(16)
    assert LSTMClassifier(max_epochs=1).fit(X, y).distributed_ is False


def test_the_data_parallel_estimator_saves_and_exports_like_any_other(ranks, tmp_path):
    """skops and ONNX take rank 0's estimator as they take a single process's."""
    skops_io = pytest.importorskip("skops.io")
    pytest.importorskip("onnxruntime")
    from sklstm.onnx import export, load
    from sklstm.persistence import SKOPS_TRUSTED_TYPES

    results, out = ranks
    estimator = pickle.loads((out / "train-estimator.pkl").read_bytes())
    X_test, _ = worker.series_task(400, seed=2)
    expected = estimator.predict_proba(X_test)
    restored = skops_io.loads(skops_io.dumps(estimator), trusted=SKOPS_TRUSTED_TYPES)
    np.testing.assert_array_equal(restored.predict_proba(X_test), expected)
    export(estimator, tmp_path / "model.onnx")
    exported = load(tmp_path / "model.onnx").predict_proba(X_test)
    np.testing.assert_allclose(exported, expected, atol=1e-5)


def test_a_rank_killed_under_torchrun_max_restarts_resumes_to_the_uninterrupted_fit(
    ranks, tmp_path
):
    """Rank 1 is killed (SIGKILL) after epoch 3 of a fit with checkpoints;
    ``torchrun --max-restarts=1`` restarts both ranks, which resume from rank 0's
    checkpoint of epoch 2 (each rank with its own generators) and end as the
    uninterrupted "train" scenario did. (A job launched again by hand resumes the
    same way.)"""
    done = launch(tmp_path, "resume", timeout=300, restarts=1)
    assert done.returncode == 0, done.stderr[-5000:]
    uninterrupted = ranks[0]["train"][0]
    for rank in (0, 1):
        resumed = pickle.loads((tmp_path / f"resume-{rank}.pkl").read_bytes())
        assert resumed["restart"] == "1"  # written by the restarted attempt
        assert any("after epoch 2." in w for w in resumed["warnings"])
        assert resumed["losses"] == uninterrupted["losses"]
        np.testing.assert_array_equal(resumed["proba"], uninterrupted["proba"])
        assert_same_state(resumed["state"], uninterrupted["state"])
    assert list((tmp_path / "checkpoints").iterdir()) == []


def test_torchrun_restarts_with_a_shared_store_are_warned_of(monkeypatch):
    """Restarted gloo ranks fail to connect or hang in 5 of 8 relaunches when the
    rendezvous store is shared with the workers (torch 2.13's default)."""
    monkeypatch.setenv("TORCHELASTIC_MAX_RESTARTS", "3")
    monkeypatch.setenv("TORCHELASTIC_USE_AGENT_STORE", "True")
    assert "TORCH_DISABLE_SHARE_RDZV_TCP_STORE=1" in restart_hazard()
    monkeypatch.setenv("TORCHELASTIC_USE_AGENT_STORE", "False")
    assert restart_hazard() is None
    monkeypatch.setenv("TORCHELASTIC_USE_AGENT_STORE", "True")
    monkeypatch.setenv("TORCHELASTIC_MAX_RESTARTS", "0")
    assert restart_hazard() is None
