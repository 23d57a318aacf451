"""The fit/predict flow shared by every sklstm estimator."""

import warnings
from contextlib import contextmanager

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from sklstm._version import __version__
from sklstm.checkpoints import CheckpointWriter, open_checkpoint
from sklstm.data.dataset import SequenceDataset
from sklstm.data.inputs import InputEncoder
from sklstm.data.pretrained import read_pretrained
from sklstm.devices import check_precision, gpu_memory_errors, resolve_device
from sklstm.distributed import Ranks
from sklstm.exceptions import InconsistentVersionWarning
from sklstm.hyperparameters import fingerprints, is_auto
from sklstm.network import build_net, sequence_model_params
from sklstm.nn import SequenceModel
from sklstm.rng import seeded
from sklstm.settings import auto_names, resolve_input, resolve_network, resolve_training
from sklstm.shared import BUILT_FROM, SharedHyperparameters
from sklstm.training import (
    check_first_chunk,
    check_unchanged,
    hold_out,
    training_callbacks,
)
from sklstm.validation import check_sample_weight, check_table, check_y

__all__ = ["SequenceEstimator"]

SHARED_ATTRIBUTES = """\
    net_ : sklstm.net.SequenceNet
        The fitted skorch net; ``net_.module_`` is the torch module.
    history_ : skorch.History
        Per-epoch training (and validation) losses.
    n_iter_ : int
        Epochs trained.
    head_ : sklstm.heads.Head
        How y was encoded for the loss and how outputs are decoded back.
    vocabulary_ : dict
        Token -> embedding row, for token input (0 pads, 1 is unknown).
    n_features_in_ : int
        Numeric features per step (the columns, for a 2-D array).
    feature_names_in_ : ndarray of str
        Column names, when fitted on a DataFrame with string column names."""


def _resolved_entry(name, type_):
    """The Attributes entry of the fitted attribute that "auto" resolves into."""
    return (
        f"\n    {name}_ : {type_}\n        ``{name}`` as the last fit used it: "
        '"auto" resolved\n        (see :mod:`sklstm.settings`), another value as '
        "given."
    )


class SequenceEstimator(SharedHyperparameters, BaseEstimator):
    """Base class of the sklstm estimators; not for direct use.

    It reads X, encodes y, builds the network and its
    :class:`~sklstm.net.SequenceNet`, and has the net train it. An estimator
    brings what is its own, and nothing else:

    * ``_head``: its output head (see :mod:`sklstm.heads`), which encodes y, holds
      the loss and turns the network's outputs into predictions;
    * ``_module`` and, if it needs more than :class:`~sklstm.nn.SequenceModel`
      takes, ``_module_params`` (built on :func:`sklstm.network.encoder_params`,
      what every :class:`~sklstm.nn.SequenceEncoder` takes);
    * ``_sequence_targets`` if its y holds sequences;
    * ``_after_training`` if it learns something from the held-out validation
      part once trained (the multi-label decision threshold);
    * its own hyperparameters, declared with
      :func:`~sklstm.hyperparameters.hyperparameter`, and its public predict methods,
      which decode :meth:`_forward`'s outputs with the head (or, for an
      encoder-decoder, :meth:`SequenceNet.generate`'s on :meth:`_prepare`'s data).
    """

    _head = None
    #: the scikit-learn scorer that early stopping follows on the validation part
    #: (what the user measures), or None for the validation loss
    _validation_scoring = None
    _module = SequenceModel
    #: the hyperparameters that predicting reads, checked there too (set_params may
    #: have changed them since fit)
    _predict_reads = ("batch_size", "device", "precision")
    #: y holds a sequence per sample (the tagger, sequence to sequence)
    _sequence_targets = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__doc__:
            cls.__doc__ = cls.__doc__.replace(
                "    {shared_attributes}",
                SHARED_ATTRIBUTES
                + "".join(_resolved_entry(*item) for item in auto_names(cls).items()),
            )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True  # raw text
        tags.input_tags.three_d_array = True
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = False
        if self._sequence_targets:
            # scikit-learn's estimator checks, all built on one target per row of
            # a 2-D X, cannot express a sequence per sample; this tag makes them
            # skip the estimator. A 2-D X is still accepted as sequences.
            tags.input_tags.two_d_array = False
        return tags

    def __getstate__(self):
        return {**super().__getstate__(), "_sklstm_version": __version__}

    def __setstate__(self, state):
        original = state.pop("_sklstm_version", "unknown (before 0.1.0)")
        if original != __version__:
            warnings.warn(
                InconsistentVersionWarning(
                    estimator_name=type(self).__name__,
                    current_version=__version__,
                    original_version=original,
                ),
                stacklevel=2,
            )
        super().__setstate__(state)

    # -- fitting -------------------------------------------------------------

    def fit(self, X, y, sample_weight=None):
        """Train on sequences ``X`` with targets ``y``.

        Parameters
        ----------
        X : list of sequences, list of str, array of shape (n, T) or (n, T, F), \
or dict
            See the README's "Input forms".
        y : array-like
            One target per sequence (per step for :class:`~sklstm.LSTMTagger`).
        sample_weight : array-like of shape (n_sequences,), default=None
            Weight of each sequence in the loss (for the tagger, of each of its
            steps). None weighs all equally.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight, incremental=False)

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One pass over a chunk ``(X, y)``, for data that does not fit in memory.

        The first call (on an unfitted estimator) learns the vocabulary, the input
        scaling and the targets' encoding from its chunk, and they stay fixed:
        tokens first seen in a later chunk map to the unknown token. A call after
        :meth:`fit` continues its training. Early stopping does not apply.

        Parameters
        ----------
        X, y, sample_weight
            As for :meth:`fit`.
        classes : array-like, default=None
            Every label the estimator will ever see (every tag, for the tagger).
            Required at the first call of a classifier or tagger, as in
            scikit-learn's ``partial_fit``: a later chunk may not hold them all.

        Returns
        -------
        self : object
            The estimator, trained one more epoch.
        """
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def _fit(self, X, y, sample_weight, *, incremental, classes=None):
        """fit (all epochs) and partial_fit (``incremental``: one epoch, going on
        from the fitted network if there is one)."""
        self._check_hyperparameters()
        check_precision(self.precision, resolve_device(self.device))
        reset = not ((incremental or self.warm_start) and hasattr(self, "net_"))
        if reset and incremental:
            check_first_chunk(self, classes)
        if reset:
            # a fit that fails part-way leaves an unfitted estimator, never a new
            # vocabulary beside an old network
            vars(self).pop("net_", None)
        else:
            check_unchanged(self)
        pretrained = (
            read_pretrained(self.pretrained_embeddings)
            if reset and self.pretrained_embeddings is not None
            else None
        )
        data = self._read_inputs(X, pretrained, reset=reset)
        if reset:
            vars(self).update(resolve_network(self, self.input_encoder_, len(data)))
        vars(self).update(resolve_training(self, len(data), incremental=incremental))
        device = self.device_
        ranks = Ranks(device) if self.distributed_ else None
        y = check_y(y, len(data), type(self).__name__)
        targets = self._encode_targets(y, data.lengths.numpy(), reset, classes)
        weight = check_sample_weight(sample_weight, len(data))
        dataset = data.with_targets(targets, self.head_.per_step, weight)
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        if ranks is not None:
            ranks.check_same("the sequences and targets read", dataset.digest())
            seed = ranks.broadcast(seed)  # random_state=None draws one per rank
        store, resume = open_checkpoint(self, dataset, incremental, reset, ranks)
        if resume is not None:
            seed = resume["seed"]  # the held-out part and generators it began with
        if not reset:
            self.net_.move_to(device)
        with seeded(seed):
            if reset:
                self.net_ = build_net(self, targets, device, pretrained)
                built_from = [n for n in BUILT_FROM if n in self._hyperparameters]
                self._built_from = fingerprints(self, built_from)
            train, valid = (
                (dataset, None)
                if incremental
                else hold_out(self, dataset, self._stratify(targets), seed)
            )
            with gpu_memory_errors(self.batch_size_, "training"):
                run = self.net_.run(
                    train,
                    valid,
                    callbacks=[
                        *training_callbacks(self, valid, incremental),
                        *([CheckpointWriter(store, seed, resume)] if store else []),
                    ],
                    ranks=ranks,
                    lr=self.lr,
                    optimizer__weight_decay=self.weight_decay_,
                    max_epochs=1
                    if incremental
                    else self.max_epochs - len(resume["history"] if resume else ()),
                    batch_size=self.batch_size_,
                    precision=self.precision,
                    verbose=self.verbose if ranks is None or ranks.rank == 0 else 0,
                )
        self.history_, self.n_iter_ = self.net_.history, run.epochs
        if store is not None and not (
            run.interrupted or self.keep_checkpoint or (ranks and ranks.rank)
        ):
            store.remove()  # kept after Ctrl-C, for the same fit to resume
        if reset or not incremental:
            # also after a divergence: the estimator keeps weights it can predict
            # with, and a partial_fit after fit keeps what fit learned
            self._after_training(valid)
        if run.diverged:
            raise run.diverged
        if run.interrupted:
            warnings.warn(
                f"Training was interrupted after {run.epochs} complete epochs; the "
                "estimator keeps the weights reached so far and can predict.",
                stacklevel=3,
            )
        return self

    def _after_training(self, valid):
        """Learn from the validation dataset ``valid`` (None when there is none)
        once the network is trained; nothing by default."""

    def _read_inputs(self, X, pretrained, *, reset):
        """X as a dataset; with ``reset``, learn how to read it (vocabulary, scale)."""
        X = check_table(self, X, reset=reset)
        encoded = (
            self._fit_input_encoder(X, pretrained)
            if reset
            else self.input_encoder_.transform(X)
        )
        return SequenceDataset(encoded.lengths, **encoded.streams)

    def _fit_input_encoder(self, X, pretrained):
        """Learn how to read X from the hyperparameters; return X encoded."""
        encoder = self.input_encoder_ = InputEncoder(
            tokenizer=self.tokenizer,
            lowercase=self.lowercase,
            min_frequency=self.min_frequency,
            max_vocabulary_size=self.max_vocabulary_size,
            extra_tokens=pretrained[0] if pretrained else (),
            **resolve_input(self),
        )
        encoded = encoder.fit_transform(X)
        vars(self).pop("vocabulary_", None)
        if encoder.vocabulary_ is not None:
            self.vocabulary_ = encoder.vocabulary_.index
        if not hasattr(self, "n_features_in_") and encoder.n_features_:
            self.n_features_in_ = encoder.n_features_  # a list of numeric series
        return encoded

    def _encode_targets(self, y, lengths, reset, classes):
        """Targets for the loss; with ``reset``, learn their encoding."""
        if reset:
            self.head_ = self._head.for_targets(y)
            encoded = self.head_.fit_transform(y, lengths, classes=classes)
            vars(self).pop("classes_", None)  # a refit on targets without classes
            if self.head_.classes_ is not None:
                self.classes_ = self.head_.classes_
            return encoded
        if classes is not None and not hasattr(self, "classes_"):
            raise ValueError(
                f"classes is for estimators with classes; {type(self).__name__} "
                "was fitted on targets that have none."
            )
        if classes is not None and not np.array_equal(
            np.unique(classes), self.classes_
        ):
            raise ValueError(
                f"classes={list(classes)} differs from the classes of the first "
                f"call, {self.classes_.tolist()}."
            )
        return self.head_.transform(y, lengths)

    def _stratify(self, targets):
        """Labels to stratify the validation split by, or None."""
        return None

    def _module_params(self, pretrained):
        """Keyword arguments of ``_module``, from the data and the hyperparameters."""
        return sequence_model_params(self, pretrained)

    # -- predicting ------------------------------------------------------------

    def _forward(self, X):
        """Raw module outputs for X in X's order (on CPU), and X's sequence lengths.

        Per-step outputs are one ``(n_steps, C)`` tensor, sequence after sequence.
        """
        data = self._prepare(X)
        with self._predicting() as net:
            return net.forward(data), data.lengths.numpy()

    def _answer(self, method, X):
        """The head's ``method`` (``predict``, ``predict_proba``, ...) on X's
        outputs: what the public predict methods return."""
        outputs, lengths = self._forward(X)
        return getattr(self.head_, method)(outputs, lengths)

    def _prepare(self, X):
        """X read as at fit, for prediction."""
        check_is_fitted(self, "net_")
        self._check_hyperparameters(self._predict_reads)
        return self._read_inputs(X, None, reset=False)

    def _export_output(self):
        """What an exported graph's outputs mean (see :mod:`sklstm.onnx`): the
        head's kind and export state."""
        return {"kind": self.head_.kind, **self.head_.export_state()}

    @contextmanager
    def _predicting(self):
        """The fitted net on the current ``device`` and ``precision``, in batches
        of the current ``batch_size`` (twice it, without the memory of a backward
        pass), for the block only: predict changes nothing in the estimator."""
        device = resolve_device(self.device, strict=False)
        check_precision(self.precision, device)
        # "auto": the size this fit chose
        batch_size = self.batch_size_ if is_auto(self.batch_size) else self.batch_size
        with (
            self.net_.configured(
                device=device, batch_size=batch_size, precision=self.precision
            ) as net,
            gpu_memory_errors(batch_size, "prediction"),
        ):
            yield net
