"""The skorch net behind every estimator."""

import gc
import inspect
import warnings
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from skorch import NeuralNet
from skorch.exceptions import DeviceWarning
from skorch.helper import predefined_split
from skorch.utils import to_device, to_tensor
from torch.nn.parallel import DistributedDataParallel

from sklstm.callbacks import (
    DivergenceGuard,
    EarlyStopping,
    EpochLog,
    EpochLoss,
    progress_bar,
)
from sklstm.data import bucket_loader, real_steps
from sklstm.devices import autocast
from sklstm.rng import generator, initialize_parameters, seeded

__all__ = ["SequenceNet", "TrainingRun"]


@dataclass(frozen=True)
class TrainingRun:
    """What one training run did (see :meth:`SequenceNet.run`).

    Attributes
    ----------
    epochs : int
        Complete epochs in the net's history after the run (all runs together).
    stopped_early : bool
        Early stopping ended the run.
    interrupted : bool
        The user interrupted it (Ctrl-C); the epoch cut short is not in the history.
    diverged : FloatingPointError or None
        Why the run stopped if its loss diverged (the weights of its lowest-loss
        epoch were restored).
    """

    epochs: int
    stopped_early: bool
    interrupted: bool
    diverged: FloatingPointError | None


class SequenceNet(NeuralNet):
    """A skorch ``NeuralNet`` over :class:`~sklstm.data.SequenceDataset`.

    Batches come from a ``DataLoader`` whose batch sampler is a
    :class:`~sklstm.data.BucketBatchSampler` (similar lengths together, padded to
    the batch's longest sequence; see :func:`~sklstm.data.bucket_loader`). Every
    output path (:meth:`forward_iter` and so :meth:`forward` and :meth:`predict`)
    returns outputs in the dataset's order however the batches were sorted.
    Scoring callbacks therefore do not reuse the outputs of training batches,
    which come in batch order (``use_caching=False``): they predict again, in the
    dataset's order, and compare with the dataset's ``y``.

    What the outputs mean comes from the ``head`` (see :mod:`sklstm.heads`): the
    criterion is its ``loss``, whose unreduced losses (``reduction="none"``)
    :meth:`get_loss` averages over real steps or over sequences as the head says,
    weighted by the sequences' sample weights when the batch carries them; the
    head's flags say how outputs come back in order, and :meth:`predict` gives its
    encoded predictions, which validation scoring compares with the dataset's y.

    Pickled, it holds plain data: its parameters and the module's and criterion's
    weights as numpy arrays, no pickled torch objects. It loads on any device
    (CUDA-trained weights on a CPU-only machine), and formats that refuse arbitrary
    code, such as ``skops.io``, can store it. Training-only state is not kept: the
    optimizer's moments, callbacks and the validation split.

    Parameters
    ----------
    module
        As for :class:`skorch.NeuralNet`.
    head : sklstm.heads.Head
        What the module's outputs mean; its ``loss`` is the criterion.
    precision : {"32", "bf16"}, default="32"
        Arithmetic of the forward passes (see :func:`sklstm.devices.autocast`);
        outputs come back in float32 either way.
    **kwargs
        Any other :class:`skorch.NeuralNet` parameter. By default there is no
        internal validation split (``train_split=None``): the estimators make their
        own, stratified where it matters. Prediction and validation batches hold
        ``2 * batch_size`` sequences unless ``iterator_valid__batch_size`` is given.
    """

    #: nets pickled before precision existed ran in float32
    precision = "32"
    #: while a run trains data-parallel: its Ranks, the DDP-wrapped module, and
    #: how the training batches are shared (see BucketBatchSampler)
    ranks_ = parallel_ = union_units_ = None
    sharing_ = {}  # noqa: RUF012 (never changed in place)

    def __init__(self, module, head, precision="32", **kwargs):
        self.head = head
        self.precision = precision
        kwargs = {
            "iterator_train": bucket_loader,
            "iterator_valid": bucket_loader,
            "iterator_train__shuffle": True,
            "train_split": None,
            "use_caching": False,
            **kwargs,
        }
        super().__init__(module, head.loss, **kwargs)

    @property
    def _default_callbacks(self):
        """skorch's, with :class:`~sklstm.callbacks.EpochLog` for its table and
        :class:`~sklstm.callbacks.EpochLoss` for the epoch losses."""
        replaced = {
            "print_log": EpochLog(),
            "train_loss": EpochLoss("train_loss", on_train=True),
            "valid_loss": EpochLoss("valid_loss"),
        }
        return [
            (name, replaced.get(name, callback))
            for name, callback in super()._default_callbacks
        ]

    def initialize_module(self):
        """skorch's, but inside a fit (see :mod:`sklstm.rng`) the module is built
        on the meta device, drawing nothing, and then initialised from the fit's
        own generator."""
        random = generator("cpu")
        if random is None:
            return super().initialize_module()
        with torch.device("meta"):
            super().initialize_module()
        self.module_ = self.module_.to_empty(device="cpu")
        initialize_parameters(self.module_, random)
        return self

    def infer(self, x, **fit_params):
        """skorch's forward pass, in ``precision``; outputs in float32, which the
        loss and the probabilities are computed in."""
        with autocast(self.device, self.precision):
            if self.parallel_ is None or not self.module_.training:
                return super().infer(x, **fit_params).float()
            x = to_tensor(x, device=self.device)  # a dict of batch tensors
            return self.parallel_(**self._merge_x_and_fit_params(x, fit_params)).float()

    def get_iterator(self, dataset, training=False):
        """skorch's iterator; evaluation batches default to twice ``batch_size``.

        Without autograd a batch keeps no activations for the backward pass, so
        larger batches fit, and fewer, fuller steps predict faster. The size follows
        ``batch_size`` at each call, so a warm start with a new one uses it too.
        Training in data-parallel, the iterator gives this rank's share of the
        batches (see :meth:`run`).
        """
        if training:
            params = self.get_params_for("iterator_train")
            return self.iterator_train(
                dataset, **{"batch_size": self.batch_size, **params, **self.sharing_}
            )
        params = self.get_params_for("iterator_valid")
        if "batch_size" in params:
            return super().get_iterator(dataset, training)
        return self.iterator_valid(dataset, **params, batch_size=2 * self.batch_size)

    def run(self, train, valid=None, *, callbacks=(), ranks=None, **settings):
        """Train on dataset ``train`` for one run and say what happened.

        ``settings`` (``lr``, ``max_epochs``, ``batch_size``, ...) and
        ``callbacks`` hold for this run, so a warm start takes changed ones, and
        an unpickled net (which keeps neither) gets them. A
        :class:`~sklstm.callbacks.DivergenceGuard` always watches the loss. With
        ``valid``, its loss is computed after each epoch (and an ``EarlyStopping``
        callback may use it).

        With ``ranks`` (a :class:`~sklstm.distributed.Ranks`), the run trains
        data-parallel: every rank passes the same datasets, trains on its share
        of each epoch's batches under ``DistributedDataParallel``, validates on the
        whole of ``valid``, and ends with rank 0's weights.

        Returns
        -------
        TrainingRun
        """
        self.set_params(**settings)
        self.callbacks = [DivergenceGuard(), *progress_bar(self.verbose), *callbacks]
        self.train_split = None if valid is None else predefined_split(valid)
        self.initialize_callbacks()
        diverged = None
        try:
            with self._sharing(ranks):
                self.partial_fit(train)
        except FloatingPointError as error:
            diverged = error
        # sklstm's EarlyStopping ends training with a KeyboardInterrupt too
        stopped_early = any(
            isinstance(callback, EarlyStopping) and callback.stopped_
            for _, callback in self.callbacks_
        )
        interrupted = self.interrupted_ and not stopped_early
        if interrupted and self.history and "train_loss" not in self.history[-1]:
            del self.history[-1]  # the epoch that was cut short
        return TrainingRun(len(self.history), stopped_early, interrupted, diverged)

    @contextmanager
    def _sharing(self, ranks):
        """Within the block, train on this rank's share of the batches (all of
        them without ``ranks``).

        Every rank draws the same batches (a stream seeded from rank 0) and
        takes its share of them; dropout draws differ between ranks.
        """
        if ranks is None:
            yield
            return
        shuffling, dropout = (
            ranks.broadcast(int(seed))
            for seed in torch.randint(2**52, (2,), generator=generator())
        )
        self.sharing_ = {"num_replicas": ranks.world_size, "rank": ranks.rank}
        device = torch.device(self.device)
        self.ranks_ = ranks
        # set past skorch's __setattr__, which would make it one of the net's
        # modules: it only wraps module_, for this run. Buffers (batch
        # normalisation's running statistics) are not broadcast before each
        # forward pass: the only collectives outside sklstm's own are the
        # gradients' in the backward pass, so a rank that fails or stops meets the
        # others in a collective of Ranks (their statistics become rank 0's at
        # the end)
        vars(self)["parallel_"] = DistributedDataParallel(
            self.module_,
            device_ids=[device] if device.type == "cuda" else None,
            **{_NO_BUFFER_SYNC: False},
        )
        try:
            try:
                with ranks.together(), seeded(dropout + ranks.rank, batches=shuffling):
                    yield
            except FloatingPointError:  # every rank's divergence guard stopped
                ranks.share_state(self.module_)
                raise
            ranks.share_state(self.module_)
        finally:
            self.ranks_ = self.parallel_ = None
            self.sharing_ = {}
            # DistributedDataParallel's hooks hold it in a reference cycle: freed
            # at the interpreter's exit, after the process group, it aborts the
            # process ("terminate called without an active exception")
            gc.collect()

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        """skorch's loop; an interruption (Ctrl-C) is noted in ``interrupted_``.

        skorch itself stops quietly on KeyboardInterrupt and keeps the weights
        reached; :meth:`run` reads ``interrupted_`` to say so.
        """
        self.interrupted_ = False
        try:
            return super().fit_loop(X, y, epochs, **fit_params)
        except KeyboardInterrupt:
            self.interrupted_ = True
            raise

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """Mean loss over the batch's real elements, weighted by sample weight.

        The head says what an element is: a real step (padding steps count 0,
        whatever the criterion gives them; real-valued targets reach it with 0
        for NaN there) or a sequence's output. The dataset
        scales sample weights to a mean of 1 per element, so dividing by the number
        of elements (not by the batch's total weight) keeps weights that differ
        between batches in force.
        """
        target, weight = _target_and_weight(to_tensor(y_true, device=self.device))
        if self.head.loss_per_step:
            real = real_steps(target)  # (B, T)
            if target.is_floating_point():
                # NaN padding would reach the gradients through any mask
                target = target.nan_to_num(0.0)
            losses = self.criterion_(y_pred, target).reshape(real.shape)
            counts = real.to(losses.dtype)
        else:
            losses = self.criterion_(y_pred, target)
            losses = losses.reshape(len(losses), -1)  # (B, 1 or outputs)
            counts = torch.ones_like(losses)
        weighted = losses * counts
        if weight is not None:
            weighted = weighted * weight[:, None]
        total = weighted.sum()
        if not (training and self.ranks_):
            return total / counts.sum()
        # data-parallel: DDP averages the ranks' gradients, so each rank's share
        # of the union batch's mean loss, times the number of ranks, gives the
        # gradient of that mean even where the ranks' batches hold different
        # numbers of elements; the value is the mean itself, the same on every rank.
        # An element is a real step, or one of a sequence's (equally many) outputs
        per_unit = 1 if self.head.loss_per_step else counts.shape[1]
        union_count = self.union_units_ * per_unit
        union_total = self.ranks_.sum(total.detach(), 0)[0]
        share = total * self.ranks_.world_size / union_count
        return share + (union_total / union_count - share).detach()

    def train_step_single(self, batch, **fit_params):
        """skorch's training step. In data-parallel training the ranks first
        count what their batches' losses are means over, together (see
        :meth:`get_loss`): real steps for per-step losses, else sequences. That
        is also where a rank learns that another stopped or failed: before the
        forward pass, so that no rank is left with one that awaits its backward
        pass."""
        if self.ranks_ is not None:
            target, _ = _target_and_weight(batch[1])
            units = real_steps(target).sum() if self.head.loss_per_step else len(target)
            self.union_units_ = self.ranks_.sum(units, 0)[0]
        return super().train_step_single(batch, **fit_params)

    def evaluation_step(self, batch, training=False):
        """As skorch's, in ``torch.inference_mode`` (no autograd bookkeeping at all)."""
        if training:
            return super().evaluation_step(batch, training)
        with torch.inference_mode():
            return super().evaluation_step(batch, training)

    def forward_iter(self, X, training=False, device="cpu"):
        """Yield the module's outputs for dataset ``X`` at once, in its order.

        One ``(n, ...)`` tensor for per-sequence outputs, or one ``(n_steps, ...)``
        tensor of every real step, sequence after sequence, for per-step outputs.
        """
        iterator = self.get_iterator(self.get_dataset(X), training=False)
        outputs = [
            to_device(self.evaluation_step(batch, training), device)
            for batch in iterator
        ]
        yield iterator.batch_sampler.restore_order(
            outputs, step_outputs=self.head.step_outputs
        )

    def generate(self, dataset, max_lengths, **kwargs):
        """Output sequences of an encoder-decoder module, in the dataset's order.

        Batches of ``dataset`` go through the module's ``generate`` (see
        :meth:`sklstm.nn.Seq2SeqModel.generate`, which takes ``kwargs``), each
        sequence with its own ``max_lengths`` entry. Returns ``(outputs,
        lengths)``: one padded array ``(n, T_out, ...)`` of every sequence's output
        steps, and each one's length. What a row holds past its length means
        nothing.
        """
        self.check_is_fitted()
        self._set_training(False)
        iterator = self.get_iterator(dataset, training=False)
        order = iterator.batch_sampler.order()
        max_lengths = torch.as_tensor(max_lengths)[order]
        batches, start = [], 0
        with torch.inference_mode(), autocast(self.device, self.precision):
            for batch, _ in iterator:
                stop = start + len(batch["lengths"])
                outputs, lengths = self.module_.generate(
                    **to_device(batch, self.device),
                    max_lengths=to_device(max_lengths[start:stop], self.device),
                    **kwargs,
                )
                if outputs.is_floating_point():
                    outputs = outputs.float()  # as infer: float32 whatever precision
                batches.append((order[start:stop], outputs.cpu(), lengths.cpu()))
                start = stop
        # one block for all sequences, filled batch by batch at their own rows:
        # the callers then map symbols or values back once, not per sequence
        longest = max(outputs.size(1) for _, outputs, _ in batches)
        first = batches[0][1]
        result = torch.zeros((len(order), longest, *first.shape[2:]), dtype=first.dtype)
        result_lengths = torch.zeros(len(order), dtype=torch.long)
        for rows, outputs, lengths in batches:
            result[rows, : outputs.size(1)] = outputs
            result_lengths[rows] = lengths
        return result.numpy(), result_lengths.numpy()

    def predict(self, X):
        """The head's encoded predictions in the dataset's order, comparable with
        its ``y`` (what validation scoring compares)."""
        return self.head.predict_encoded(self.forward(X)).numpy()

    def move_to(self, device):
        """Run on ``device`` from now on: module, criterion and optimizer state."""
        if torch.device(device) != torch.device(self.device):
            self.device = device
            self.module_.to(device)
            self.criterion_.to(device)
            if getattr(self, "optimizer_", None) is not None:
                # a new optimizer over the moved parameters (a move may replace
                # them); torch's loading puts each state tensor where its
                # parameter now is
                state = self.optimizer_.state_dict()
                self.initialize_optimizer()
                self.optimizer_.load_state_dict(state)
        return self

    @contextmanager
    def configured(self, *, device, batch_size, precision):
        """Run on ``device``, in batches of ``batch_size`` and at ``precision``
        within the block, and as before after it: predicting with other settings
        than the fit's leaves the fitted net as it was."""
        before = self.device, self.batch_size, self.precision
        self.move_to(device)
        self.batch_size, self.precision = batch_size, precision
        try:
            yield self
        finally:
            self.move_to(before[0])
            self.batch_size, self.precision = before[1:]

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
            # requires_grad is no part of a state dict: frozen weights say so here
            state["_frozen"] = [
                name
                for name, parameter in self.module_.named_parameters()
                if not parameter.requires_grad
            ]
        return state

    def __setstate__(self, state):
        state = dict(state)
        weights = state.pop("_weights", None)
        frozen = state.pop("_frozen", ())
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
        with seeded(0):  # weights are loaded next: draw nothing from torch's RNG
            self.initialize()
        self.history_ = history
        for name, arrays in weights.items():
            getattr(self, name).load_state_dict(
                {key: torch.as_tensor(value) for key, value in arrays.items()}
            )
        parameters = dict(self.module_.named_parameters())
        for name in frozen:
            parameters[name].requires_grad_(False)


#: what a fitted net needs only while training; not pickled
_TRAINING_ONLY = (
    "callbacks",
    "callbacks_",
    "train_split",
    "optimizer_",
    "interrupted_",
    "ranks_",
    "parallel_",
    "sharing_",
    "union_units_",
)


#: DistributedDataParallel's switch for broadcasting buffers before each forward
#: pass: broadcast_buffers, renamed forward_sync_buffers (torch 2.13 warns on the
#: old name at every fit)
_NO_BUFFER_SYNC = (
    "forward_sync_buffers"
    if "forward_sync_buffers" in inspect.signature(DistributedDataParallel).parameters
    else "broadcast_buffers"
)


def _target_and_weight(y):
    """A batch's targets and their sample weights (None without them)."""
    return y if isinstance(y, (tuple, list)) else (y, None)


def _numpy_state(module):
    return {key: value.cpu().numpy() for key, value in module.state_dict().items()}
