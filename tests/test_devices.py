"""Device names, seeding and precision."""

import numpy as np
import pytest
import torch
from conftest import FAST

import sklstm.devices
from sklstm import LSTMClassifier, LSTMSeq2Seq
from sklstm.devices import native_bf16, resolve_device

X, Y = [["a", "b"], ["b"], ["a"], ["b", "b"]] * 4, [1, 0, 1, 0] * 4


def test_torch_device_objects_are_accepted():
    """device=torch.device('cpu') fits and predicts like device='cpu'."""
    by_name = LSTMClassifier(**FAST).fit(X, Y).predict_proba(X)
    by_object = LSTMClassifier(**FAST, device=torch.device("cpu")).fit(X, Y)
    assert (by_object.predict_proba(X) == by_name).all()


@pytest.mark.parametrize("device", ["meta", "tpu", torch.device("meta"), 3])
def test_unknown_devices_are_refused(device):
    """Devices sklstm does not run on are refused in fit with what is accepted."""
    with pytest.raises(ValueError, match="is not a device sklstm runs on"):
        LSTMClassifier(device=device).fit(X, Y)


def test_cuda_index_must_exist(monkeypatch):
    """A CUDA index beyond the machine's devices is a clear error."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert resolve_device("cuda:1") == "cuda:1"
    with pytest.raises(ValueError, match=r"has 2 CUDA device\(s\), cuda:0 to cuda:1"):
        resolve_device("cuda:3")


def test_cpu_fit_leaves_cuda_generators_alone(monkeypatch):
    """A fit on the CPU seeds no CUDA generator (torch.manual_seed would)."""
    seeded = []
    monkeypatch.setattr(torch.cuda, "manual_seed_all", seeded.append)
    monkeypatch.setattr(torch.cuda, "manual_seed", seeded.append)
    LSTMClassifier(**FAST).fit(X, Y)
    assert seeded == []


bf16 = pytest.mark.skipif(
    not native_bf16("cpu"), reason="this CPU has no native bfloat16"
)


@bf16
def test_bf16_predictions_are_close_to_float32(marker_data):
    """The same weights predict in bfloat16 within bfloat16's precision of float32
    (so autocast is on), and the labels agree."""
    X, y = marker_data
    clf = LSTMClassifier(**FAST).fit(X, y)
    full = clf.predict_proba(X)
    half = clf.set_params(precision="bf16").predict_proba(X)
    assert 0 < np.abs(half - full).max() < 0.05
    assert (half.argmax(axis=1) == full.argmax(axis=1)).mean() > 0.97


@bf16
def test_bf16_training_learns(marker_data):
    """A fit in bfloat16 learns the task about as well as one in float32."""
    X, y = marker_data
    assert LSTMClassifier(**FAST, precision="bf16").fit(X, y).score(X, y) > 0.9


@bf16
@pytest.mark.parametrize("kind", ["symbols", "values"])
def test_bf16_decoding_is_close_to_float32(kind):
    """An encoder-decoder decodes in bfloat16 too, symbols or real values (which
    numpy cannot hold in bfloat16), close to its float32 outputs."""
    rng = np.random.RandomState(0)
    series = [rng.uniform(1, 2, size=rng.randint(3, 8)) for _ in range(24)]
    X = series if kind == "values" else [list("abc"[: len(s) % 3 + 1]) for s in series]
    y = [s[-3:] for s in series] if kind == "values" else [x[::-1] for x in X]
    model = LSTMSeq2Seq(**FAST).fit(X, y)
    full = model.predict(X)
    half = model.set_params(precision="bf16").predict(X)
    if kind == "values":
        np.testing.assert_allclose(np.stack(half), np.stack(full), atol=0.05)
    else:
        agree = [h.tolist() == f.tolist() for h, f in zip(half, full, strict=True)]
        assert np.mean(agree) > 0.9


def test_bf16_without_native_support_is_refused(monkeypatch):
    """Emulated bfloat16 would be slower than float32: fit and predict say so."""
    clf = LSTMClassifier(**FAST).fit(X, Y)
    monkeypatch.setattr(sklstm.devices, "native_bf16", lambda device: False)
    with pytest.raises(ValueError, match="precision='bf16' needs native bfloat16"):
        LSTMClassifier(**FAST, precision="bf16").fit(X, Y)
    with pytest.raises(ValueError, match="lacks: emulated, it would run slower"):
        clf.set_params(precision="bf16").predict(X)
