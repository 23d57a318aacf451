"""Checkpoints of a fit, so that one that is killed resumes where it was.

With ``checkpoint_dir``, a fit writes its state after every epoch to one file in
that directory, named by a key made of everything that determines the run: the
estimator's class and hyperparameters (but ``verbose``, ``callbacks``,
``checkpoint_dir`` and ``keep_checkpoint``), the data as read (a digest of the
sequences, targets and sample weights) and the sklstm version. The same fit run
again finds its file and goes on after the last complete epoch, ending with the
model an uninterrupted fit gives; fits of a search that share the directory never
meet.

A file holds plain data (numpy arrays, and a JSON document for the rest): the
module's weights, the optimizer's state, the history, the state of the callbacks
(early stopping with its best weights, the learning-rate schedule, the divergence
guard, the scores' bests: each callback's attributes that end in ``_``), the fit's
random generators and its seed. The input and target encoders are not stored: the
key fixes the data and the hyperparameters they are learned from, so a resumed fit
learns them again, the same. Files are written to a temporary name, flushed to
disk and renamed over the previous one, so a kill while writing leaves the previous
checkpoint whole; the file is removed once the fit ends, unless
``keep_checkpoint``: then the same fit run again restores the finished run (it
trains no epoch, or only the one whose end stopped it early, which left no
checkpoint) and ends with the same model.
"""

import hashlib
import io
import json
import os
import warnings

import numpy as np
import torch
from skorch.callbacks import Callback

from sklstm._version import __version__
from sklstm.hyperparameters import fingerprints
from sklstm.rng import generator_states, set_generator_states

__all__ = ["CheckpointStore", "CheckpointWriter", "open_checkpoint"]

#: hyperparameters that do not change what a fit computes
NOT_IN_KEY = ("verbose", "callbacks", "checkpoint_dir", "keep_checkpoint")


def open_checkpoint(estimator, dataset, incremental, reset, ranks):
    """``(store, state)`` of a fit with a ``checkpoint_dir``: its store, and the
    state to resume from (None if there is none); ``(None, None)`` without one.

    A fresh ``fit`` only: a warm start and ``partial_fit`` are refused, since
    their state begins outside the fit. In data-parallel training every rank
    reads the checkpoint (so the directory must be shared between machines) and
    rank 0 writes it.
    """
    if estimator.checkpoint_dir is None:
        return None, None
    name = type(estimator).__name__
    why = "partial_fit" if incremental else "warm_start=True" if not reset else None
    if why:
        raise ValueError(
            f"checkpoint_dir is for a fresh {name}.fit, which resumes from its "
            f"checkpoint; {why} is not supported with it yet. Set "
            "checkpoint_dir=None."
        )
    store = CheckpointStore(estimator.checkpoint_dir, estimator, dataset.digest())
    state = store.load()
    world_size = 1 if ranks is None else ranks.world_size
    if state is not None and state["world_size"] != world_size:
        raise ValueError(
            f"The checkpoint {store.path} was written by a fit on "
            f"{state['world_size']} process(es), and this one runs on {world_size}; "
            "resume with as many, or remove the file to train from the start."
        )
    return store, state


class CheckpointStore:
    """Where one fit keeps its checkpoint: ``<directory>/<key>.npz``.

    Parameters
    ----------
    directory : str or path-like
    estimator : sklstm estimator
        Its class and hyperparameters enter the key.
    data_digest : bytes
        A digest of the data as read (see
        :meth:`sklstm.data.SequenceDataset.digest`).
    """

    def __init__(self, directory, estimator, data_digest):
        self.directory = os.fspath(directory)
        names = sorted(set(estimator._hyperparameters) - set(NOT_IN_KEY))
        key = hashlib.sha256()
        key.update(type(estimator).__qualname__.encode())
        for name, (digest, _) in fingerprints(estimator, names).items():
            key.update(f"{name}={digest};".encode())
        key.update(data_digest)
        key.update(__version__.encode())
        self.path = os.path.join(
            self.directory, f"{type(estimator).__name__}-{key.hexdigest()[:24]}.npz"
        )
        self._check_writable()

    def _check_writable(self):
        try:
            os.makedirs(self.directory, exist_ok=True)
        except OSError as error:
            raise OSError(
                f"checkpoint_dir={self.directory!r} cannot be created: {error}."
            ) from None
        if not os.access(self.directory, os.W_OK | os.X_OK):
            raise PermissionError(
                f"checkpoint_dir={self.directory!r} is not writable; choose a "
                "directory this process may write to, or set checkpoint_dir=None."
            )

    def load(self):
        """The saved state (a dict), or None if there is no checkpoint.

        Refuses, naming the file, a checkpoint it cannot read whole or one of
        another sklstm version.
        """
        if not os.path.exists(self.path):
            return None
        try:
            with np.load(self.path, allow_pickle=False) as stored:
                arrays = {name: stored[name] for name in stored.files}
            document = json.loads(arrays.pop("__document__").tobytes().decode())
        except Exception as error:  # a truncated or foreign file, of any kind
            raise ValueError(
                f"The checkpoint {self.path} cannot be read ({error!r}): it is "
                "truncated or corrupt. Remove it to train from the start."
            ) from None
        if document.get("sklstm_version") != __version__:
            raise ValueError(
                f"The checkpoint {self.path} was written by sklstm "
                f"{document.get('sklstm_version')}, and this is sklstm "
                f"{__version__}; a fit resumes only with the version that began it. "
                "Remove the file to train from the start."
            )
        return _restored(document["state"], arrays)

    def save(self, state):
        """Write ``state`` atomically: the previous checkpoint stays whole until
        the new one is complete on disk."""
        arrays = {}
        document = {"sklstm_version": __version__, "state": _flat(state, arrays)}
        arrays["__document__"] = np.frombuffer(
            json.dumps(document).encode(), dtype=np.uint8
        )
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        temporary = f"{self.path}.tmp-{os.getpid()}"
        with open(temporary, "wb") as file:
            file.write(buffer.getvalue())
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, self.path)
        directory = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself
        finally:
            os.close(directory)

    def remove(self):
        if os.path.exists(self.path):
            os.remove(self.path)


class CheckpointWriter(Callback):
    """Saves the run's state after every epoch and, given a saved ``state``,
    restores it when training begins.

    It must be the run's last callback: the others set their state up in
    ``on_train_begin``, which this one then overwrites with the saved state, and
    its ``on_epoch_end`` sees what they recorded for the epoch.

    Parameters
    ----------
    store : CheckpointStore
    seed : int
        The fit's seed (its held-out part and generators come from it).
    resume : dict or None
        A state from :meth:`CheckpointStore.load`.
    """

    def __init__(self, store, seed, resume=None):
        self.store, self.seed, self.resume = store, seed, resume

    def on_train_begin(self, net, **kwargs):
        if self.resume is None:
            return
        state = self.resume
        net.module_.load_state_dict(_tensors(state["module"]))
        net.optimizer_.load_state_dict(_tensors(state["optimizer"]))
        net.history_.clear()
        net.history_.extend(state["history"])
        for name, callback in net.callbacks_:
            for attribute, value in state["callbacks"].get(name, {}).items():
                _set_attribute(callback, attribute, value)
        generators = state["generators"]
        set_generator_states(generators[net.ranks_.rank] if net.ranks_ else generators)
        warnings.warn(
            f"Resuming from the checkpoint {self.store.path} after epoch "
            f"{len(net.history_)}.",
            UserWarning,
            stacklevel=2,
        )

    def on_epoch_end(self, net, **kwargs):
        generators = generator_states()
        if net.ranks_ is not None:  # each rank's dropout draws its own
            generators = net.ranks_.gather(generators)
            if net.ranks_.rank != 0:
                return
        self.store.save(
            {
                "seed": self.seed,
                "world_size": len(generators) if net.ranks_ else 1,
                "module": _arrays(net.module_.state_dict()),
                "optimizer": _arrays(net.optimizer_.state_dict()),
                "history": net.history_.to_list(),
                "callbacks": {
                    name: _callback_state(callback)
                    for name, callback in net.callbacks_
                    if callback is not self
                },
                "generators": generators,
            }
        )


def _callback_state(callback):
    """A callback's fitted state: its attributes ending in ``_`` that are plain
    values, tensor dictionaries (weights) or objects with a ``state_dict``."""
    state = {}
    for name, value in vars(callback).items():
        if not name.endswith("_") or name.startswith("_"):
            continue
        if value is None or isinstance(value, (bool, int, float, str)):
            state[name] = value
        elif isinstance(value, dict) and all(map(torch.is_tensor, value.values())):
            state[name] = {"weights": _arrays(value)}
        elif hasattr(value, "state_dict") and not isinstance(value, type):
            state[name] = {"state_dict": _arrays(value.state_dict())}
    return state


def _set_attribute(callback, name, value):
    if isinstance(value, dict) and "weights" in value:
        setattr(callback, name, _tensors(value["weights"]))
    elif isinstance(value, dict) and "state_dict" in value:
        getattr(callback, name).load_state_dict(_tensors(value["state_dict"]))
    else:
        setattr(callback, name, value)


def _arrays(value):
    """``value`` with every tensor as a numpy array."""
    if torch.is_tensor(value):
        return value.detach().cpu().numpy()
    if isinstance(value, dict):
        return {key: _arrays(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_arrays(item) for item in value)
    return value


def _tensors(value):
    """``value`` with every numpy array as a tensor (inverse of ``_arrays``)."""
    if isinstance(value, np.ndarray):
        return torch.from_numpy(value.copy())
    if isinstance(value, dict):
        return {key: _tensors(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_tensors(item) for item in value]
    return value


#: JSON keys are strings: dictionaries whose keys were not are stored as pairs
_PAIRS, _ARRAY = "__pairs__", "__array__"


def _flat(value, arrays):
    """``value`` as JSON-ready data, its arrays moved to ``arrays``."""
    if isinstance(value, np.ndarray):
        name = f"a{len(arrays)}"
        arrays[name] = value
        return {_ARRAY: name}
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value):
            return {key: _flat(item, arrays) for key, item in value.items()}
        return {_PAIRS: [[key, _flat(item, arrays)] for key, item in value.items()]}
    if isinstance(value, (list, tuple)):
        return [_flat(item, arrays) for item in value]
    if isinstance(value, np.floating):
        return float(value)  # JSON writes floats exactly, inf and nan included
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _restored(value, arrays):
    """Inverse of :func:`_flat`."""
    if isinstance(value, dict):
        if _ARRAY in value:
            return arrays[value[_ARRAY]]
        if _PAIRS in value:
            return {key: _restored(item, arrays) for key, item in value[_PAIRS]}
        return {key: _restored(item, arrays) for key, item in value.items()}
    if isinstance(value, list):
        return [_restored(item, arrays) for item in value]
    return value
