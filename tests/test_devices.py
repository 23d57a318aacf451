"""Device names and seeding."""

import pytest
import torch
from conftest import FAST

from sklstm import LSTMClassifier
from sklstm.devices import resolve_device

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
