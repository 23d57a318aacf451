"""The skorch net behind every estimator."""

import warnings

import torch
from skorch import NeuralNet
from skorch.exceptions import DeviceWarning
from skorch.utils import to_device, to_tensor

from sklstm.data import IGNORE_INDEX, BucketIterator

__all__ = ["SequenceNet"]


class SequenceNet(NeuralNet):
    """A skorch ``NeuralNet`` over :class:`~sklstm.data.SequenceDataset`.

    Batches come from :class:`~sklstm.data.BucketIterator` (similar lengths together,
    padded to the batch's longest sequence), and :meth:`forward` returns outputs in
    the dataset's order however the batches were sorted.

    The criterion must return unreduced losses (``reduction="none"``):
    :meth:`get_loss` averages them itself, over real steps only and weighted by
    the sequences' sample weights when the batch carries them.

    Pickled, it holds plain data: its parameters and the module's and criterion's
    weights as numpy arrays, no pickled torch objects. It loads on any device
    (CUDA-trained weights on a CPU-only machine), and formats that refuse arbitrary
    code, such as ``skops.io``, can store it. Training-only state is not kept: the
    optimizer's moments, callbacks and the validation split.

    Parameters
    ----------
    module, criterion
        As for :class:`skorch.NeuralNet`.
    **kwargs
        Any other :class:`skorch.NeuralNet` parameter. By default there is no
        internal validation split (``train_split=None``): the estimators make their
        own, stratified where it matters. Prediction and validation batches hold
        ``2 * batch_size`` sequences unless ``iterator_valid__batch_size`` is given.
    """

    def __init__(self, module, criterion, **kwargs):
        kwargs = {
            "iterator_train": BucketIterator,
            "iterator_valid": BucketIterator,
            "iterator_train__shuffle": True,
            "train_split": None,
            **kwargs,
        }
        super().__init__(module, criterion, **kwargs)

    def get_iterator(self, dataset, training=False):
        """skorch's iterator; evaluation batches default to twice ``batch_size``.

        Without autograd a batch keeps no activations for the backward pass, so
        larger batches fit, and fewer, fuller steps predict faster. The size follows
        ``batch_size`` at each call, so a warm start with a new one uses it too.
        """
        params = self.get_params_for("iterator_valid")
        if training or "batch_size" in params:
            return super().get_iterator(dataset, training)
        return self.iterator_valid(dataset, **params, batch_size=2 * self.batch_size)

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        """skorch's loop; an interruption (Ctrl-C) is noted in ``interrupted_``.

        skorch itself stops quietly on KeyboardInterrupt and keeps the weights
        reached; the estimators read ``interrupted_`` to say so.
        """
        self.interrupted_ = False
        try:
            return super().fit_loop(X, y, epochs, **fit_params)
        except KeyboardInterrupt:
            self.interrupted_ = True
            raise

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """Mean loss over the batch's real elements, weighted by sample weight."""
        y_true = to_tensor(y_true, device=self.device)
        target, weight = y_true if isinstance(y_true, (tuple, list)) else (y_true, None)
        losses = self.criterion_(y_pred, target)
        losses = losses.reshape(len(losses), -1)  # (B, steps or labels or 1)
        counts = (
            (target != IGNORE_INDEX).to(losses.dtype)  # per-step: padding counts 0
            if y_pred.dim() == 3
            else torch.ones_like(losses)
        )
        if weight is not None:
            counts = counts * weight[:, None]
        # a batch of zero weight contributes a zero loss rather than 0 / 0
        return (losses * counts).sum() / counts.sum().clamp_min(1e-12)

    def evaluation_step(self, batch, training=False):
        """As skorch's, in ``torch.inference_mode`` (no autograd bookkeeping at all)."""
        if training:
            return super().evaluation_step(batch, training)
        with torch.inference_mode():
            return super().evaluation_step(batch, training)

    def forward(self, X, training=False, device="cpu"):
        """Module outputs for dataset ``X``, in its order.

        Returns an ``(n, ...)`` tensor for per-sequence outputs, or an
        ``(n_steps, ...)`` tensor of every real step, sequence after sequence, for
        per-step outputs.
        """
        iterator = self.get_iterator(self.get_dataset(X), training=False)
        outputs = [
            to_device(self.evaluation_step(batch, training), device)
            for batch in iterator
        ]
        return iterator.restore_order(outputs)

    def move_to(self, device):
        """Run on ``device`` from now on (e.g. after ``set_params(device='cuda')``)."""
        if torch.device(device) != torch.device(self.device):
            self.device = device
            self.module_.to(device)
            self.criterion_.to(device)
        return self

    def __getstate__(self):
        state = {
            name: value
            for name, value in vars(self).items()
            if name not in (*_TRAINING_ONLY, *self.cuda_dependent_attributes_)
        }
        tensors = [name for name, value in state.items() if torch.is_tensor(value)]
        state.update({name: state[name].cpu().numpy() for name in tensors})
        state["_tensor_params"] = tensors
        if self.initialized_:
            state["_weights"] = {
                "module_": _numpy_state(self.module_),
                "criterion_": _numpy_state(self.criterion_),
            }
        return state

    def __setstate__(self, state):
        state = dict(state)
        weights = state.pop("_weights", None)
        for name in state.pop("_tensor_params"):
            state[name] = torch.as_tensor(state[name])
        if str(state["device"]).startswith("cuda") and not torch.cuda.is_available():
            warnings.warn(
                f"Setting device = 'cpu' since the saved device ({state['device']}) "
                "is not available.",
                DeviceWarning,
                stacklevel=2,
            )
            state["device"] = "cpu"
        self.__dict__.update(state, callbacks=None, train_split=None)
        if weights is None:
            return
        history, self.history_ = self.history_, None  # initialize() would clear it
        with torch.random.fork_rng(devices=[]):  # leave the caller's RNG alone
            self.initialize()
        self.history_ = history
        for name, arrays in weights.items():
            getattr(self, name).load_state_dict(
                {key: torch.as_tensor(value) for key, value in arrays.items()}
            )


#: what a fitted net needs only while training; not pickled
_TRAINING_ONLY = (
    "callbacks",
    "callbacks_",
    "train_split",
    "optimizer_",
    "interrupted_",
)


def _numpy_state(module):
    return {key: value.cpu().numpy() for key, value in module.state_dict().items()}
