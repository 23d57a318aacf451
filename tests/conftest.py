import numpy as np
import pytest
import torch

import sklstm
from sklstm.base import SequenceEstimator

#: every public estimator, from the package's one list of public names
#: (sklstm.__all__); test_registry.py checks the other lists against it
ESTIMATORS = [
    estimator
    for estimator in (getattr(sklstm, name) for name in sklstm.__all__)
    if isinstance(estimator, type) and issubclass(estimator, SequenceEstimator)
]


@pytest.fixture(autouse=True)
def _seed():
    """Every test starts from the same random state."""
    np.random.seed(0)
    torch.manual_seed(0)


@pytest.fixture(scope="session")
def marker_data():
    """Token sequences labelled by whether the marker token 'zz' appears anywhere."""
    rng = np.random.RandomState(1)
    words = [f"w{i}" for i in range(20)]
    X, y = [], []
    for i in range(240):
        seq = list(rng.choice(words, size=rng.randint(3, 15)))
        if i % 2:
            seq[rng.randint(len(seq))] = "zz"
        X.append(seq)
        y.append("marker" if i % 2 else "plain")
    return X, np.array(y)


@pytest.fixture(scope="session")
def sum_data():
    """Ragged univariate series whose target is their sum."""
    rng = np.random.RandomState(2)
    X = [rng.uniform(-1, 1, size=rng.randint(2, 12)) for _ in range(300)]
    return X, np.array([x.sum() for x in X])


#: small, fast settings shared by the estimator tests
FAST = {
    "hidden_size": 16,
    "embedding_dim": 16,
    "char_embedding_dim": 0,
    "max_epochs": 15,
    "lr": 0.01,
    "batch_size": 16,
    "random_state": 0,
    "weight_decay": 0.0,  # the series default 0.01 slows 15 epochs
}
