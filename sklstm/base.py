"""The fit/predict flow shared by every sklstm estimator."""

import inspect
import math
import warnings
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state, check_scalar
from sklearn.utils.validation import check_array, check_is_fitted, validate_data
from skorch.callbacks import EarlyStopping, GradientNormClipping
from skorch.helper import predefined_split

from sklstm._version import __version__
from sklstm.callbacks import DivergenceGuard
from sklstm.data import InputEncoder, is_table
from sklstm.data.pretrained import read_pretrained
from sklstm.devices import gpu_memory_errors, resolve_device, seeded
from sklstm.exceptions import InconsistentVersionWarning
from sklstm.net import SequenceNet
from sklstm.nn import SequenceModel
from sklstm.nn.pooling import MERGES, POOLINGS
from sklstm.nn.recurrent import CELLS

__all__ = ["SequenceEstimator"]

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}

SHARED_PARAMETERS = """\
    tokenizer : None, str or callable, default=None
        How raw strings are split into tokens: None for words and punctuation marks
        (``r"\\w+|[^\\w\\s]"``), a regular expression whose matches are the tokens,
        or a callable from a string to a list of tokens.
    lowercase : bool, default=False
        Lowercase string tokens before building or looking up the vocabulary.
    min_frequency : int, default=1
        Tokens seen fewer times in the training data map to the unknown token.
    max_vocabulary_size : int or None, default=None
        Keep at most this many of the most frequent tokens.
    pretrained_embeddings : dict or tuple (array, tokens), default=None
        Token vectors to start the embedding from: a mapping token -> vector, or
        an ``(n_tokens, dim)`` array with its list of tokens. Their tokens join the
        vocabulary, so they are known at predict time even if unseen in training.
        With ``lowercase``, they are lowercased too, and of forms that fold
        together ("The", "the") the one listed first gives the vector.
    freeze_embeddings : bool, default=False
        Keep the embedding fixed during training.
    standardize : bool, default=True
        Standardise numeric features (zero mean, unit variance per feature).
    embedding_dim : int or None, default=None
        Size of token embeddings; None means 64, or the width of
        ``pretrained_embeddings``.
    char_embedding_dim : int, default=0
        If > 0, each string token is also read character by character (a char-CNN
        of this size, :class:`~sklstm.nn.CharCNN`) and that vector joins its
        embedding: words unseen in training still get a representation from their
        spelling. 0 turns it off.
    cell : {"lstm", "gru"}, default="lstm"
        Recurrent cell type.
    hidden_size : int, default=64
        Features of the hidden state, per direction.
    num_layers : int, default=1
        Stacked recurrent layers.
    bidirectional : bool, default=False
        Also read each sequence backwards.
    bidirectional_merge : {"concat", "sum"}, default="concat"
        How the two directions' outputs are joined.
    dropout : float, default=0.0
        Dropout on the recurrent input, between layers and before the output layer.
    token_dropout : float, default=0.0
        While training, the chance that a token is read as the unknown token
        (word dropout): the model learns to use the context of words it has not
        seen, and relies less on any single word.
    max_epochs : int, default=10
        Passes over the training data.
    batch_size : int, default=32
        Sequences per batch.
    lr : float, default=1e-3
        Learning rate.
    optimizer : {"adam", "adamw", "sgd", "rmsprop"} or torch optimizer class, \
default="adam"
    weight_decay : float, default=0.0
        L2 penalty passed to the optimizer.
    gradient_clip : float or None, default=None
        Clip the gradient norm to this value.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data and stop when its loss has
        not improved for ``n_iter_no_change`` epochs, keeping the best weights.
    validation_fraction : float, default=0.1
        Share of the training data held out for early stopping.
    n_iter_no_change : int, default=5
        Epochs without improvement before early stopping.
    callbacks : list of skorch callbacks or None, default=None
        Extra callbacks for the underlying :class:`skorch.NeuralNet`.
    verbose : int, default=0
        1 prints skorch's table of per-epoch losses.
    warm_start : bool, default=False
        Continue training the fitted network on the next ``fit``, keeping its
        vocabulary and targets.
    random_state : int, RandomState or None, default=None
        Seeds weight initialisation, shuffling, dropout and the validation split.
        The same integer gives the same predictions on CPU.
    device : {"cpu", "cuda", "cuda:N", "auto"} or torch.device, default="cpu"
        Where to train; "auto" is CUDA when available. A fitted estimator loads
        and predicts on a machine without CUDA."""


SHARED_ATTRIBUTES = """\
    net_ : sklstm.net.SequenceNet
        The fitted skorch net; ``net_.module_`` is the torch module.
    history_ : skorch.History
        Per-epoch training (and validation) losses.
    n_iter_ : int
        Epochs trained.
    vocabulary_ : dict
        Token -> embedding row, for token input (0 pads, 1 is unknown).
    n_features_in_ : int
        Numeric features per step (the columns, for a 2-D array).
    feature_names_in_ : ndarray of str
        Column names, when fitted on a DataFrame with string column names."""


def _stopped_early(net):
    """Whether skorch's EarlyStopping ended training (it raises KeyboardInterrupt)."""
    return any(
        isinstance(callback, EarlyStopping) and callback.misses_ >= callback.patience
        for _, callback in net.callbacks_
    )


def _check_number(value, name, **bounds):
    """``check_scalar`` for a real number, refusing NaN and infinity too.

    ``check_scalar`` compares with its bounds, and every comparison with NaN is
    false, so NaN would pass it.
    """
    check_scalar(value, name, Real, **bounds)
    if not math.isfinite(value):
        raise ValueError(f"{name} == {value}, must be a finite number.")


def float_tensors(**arrays):
    """The given arrays as float32 tensors, leaving out those that are None."""
    return {
        name: torch.as_tensor(array, dtype=torch.float32)
        for name, array in arrays.items()
        if array is not None
    }


def _check_sample_weight(sample_weight, n_sequences):
    """Sample weights as a float array of shape (n_sequences,), or None."""
    if sample_weight is None:
        return None
    weight = np.asarray(sample_weight, dtype=np.float64)
    if weight.ndim == 0:
        weight = np.full(n_sequences, float(weight))
    if weight.shape != (n_sequences,):
        raise ValueError(
            f"sample_weight has shape {weight.shape}; expected ({n_sequences},), one "
            "weight per sequence."
        )
    if not np.isfinite(weight).all() or (weight < 0).any():
        raise ValueError("sample_weight must hold finite, non-negative numbers.")
    if not weight.any():
        raise ValueError(
            "sample_weight is all zero; at least one weight must be non-zero."
        )
    return weight


class SequenceEstimator(BaseEstimator):
    """Base class of the sklstm estimators; not for direct use.

    It owns the hyperparameters every estimator shares, reads X, builds the
    :class:`~sklstm.nn.SequenceModel` and its :class:`~sklstm.net.SequenceNet`, and
    trains it. A subclass brings what is its own: the target encoding, the loss and
    the decoding of outputs (the ``_target_encoder``, ``_criterion`` and public
    prediction methods), plus any extra hyperparameters, declared as
    ``def __init__(self, *, extra=..., **params)``.
    """

    #: whether the estimator predicts one output per step (the tagger) rather
    #: than one per sequence, summarised by its ``pooling`` hyperparameter
    _per_step = False

    def __init__(
        self,
        *,
        tokenizer=None,
        lowercase=False,
        min_frequency=1,
        max_vocabulary_size=None,
        pretrained_embeddings=None,
        freeze_embeddings=False,
        standardize=True,
        embedding_dim=None,
        char_embedding_dim=0,
        cell="lstm",
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        bidirectional_merge="concat",
        dropout=0.0,
        token_dropout=0.0,
        max_epochs=10,
        batch_size=32,
        lr=1e-3,
        optimizer="adam",
        weight_decay=0.0,
        gradient_clip=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
        callbacks=None,
        verbose=0,
        warm_start=False,
        random_state=None,
        device="cpu",
    ):
        self.tokenizer = tokenizer
        self.lowercase = lowercase
        self.min_frequency = min_frequency
        self.max_vocabulary_size = max_vocabulary_size
        self.pretrained_embeddings = pretrained_embeddings
        self.freeze_embeddings = freeze_embeddings
        self.standardize = standardize
        self.embedding_dim = embedding_dim
        self.char_embedding_dim = char_embedding_dim
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.bidirectional_merge = bidirectional_merge
        self.dropout = dropout
        self.token_dropout = token_dropout
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.gradient_clip = gradient_clip
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.callbacks = callbacks
        self.verbose = verbose
        self.warm_start = warm_start
        self.random_state = random_state
        self.device = device

    def __init_subclass__(cls, **kwargs):
        """Give ``__init__(self, *, extra=..., **params)`` the full signature.

        scikit-learn reads hyperparameter names from the ``__init__`` signature, so a
        subclass's own keyword arguments are joined with its parent's; the shared
        parameters' and fitted attributes' documentation replaces
        ``{shared_parameters}`` and ``{shared_attributes}`` in its docstring.
        """
        super().__init_subclass__(**kwargs)
        if cls.__doc__:
            cls.__doc__ = cls.__doc__.replace(
                "    {shared_parameters}", SHARED_PARAMETERS
            ).replace("    {shared_attributes}", SHARED_ATTRIBUTES)
        if "__init__" not in vars(cls):
            return
        own = [
            p
            for p in inspect.signature(cls.__init__).parameters.values()
            if p.kind != p.VAR_KEYWORD
        ]
        names = {p.name for p in own}
        # the parent's full signature: a subclass of an estimator keeps its
        # parameters as well as the shared ones
        inherited = [
            p
            for p in inspect.signature(super(cls, cls).__init__).parameters.values()
            if p.name not in names
        ]
        cls.__init__.__signature__ = inspect.Signature(own + inherited)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True  # raw text
        tags.input_tags.three_d_array = True
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = False
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

    # -- the parts a subclass provides ------------------------------------------

    #: the class that encodes y for the loss and decodes outputs (one per estimator)
    _target_encoder = None

    def _criterion(self, y):
        """``(loss class, its keyword arguments)`` for encoded targets ``y``."""
        raise NotImplementedError

    def _encode_targets(self, y, lengths, *, reset, classes=None):
        """Targets for the loss; ``reset`` learns their encoding (classes, scale).

        ``lengths`` are the input sequences' lengths, for per-step targets;
        ``classes``, given to partial_fit, every label there will be.
        """
        if not reset:
            if classes is not None and not np.array_equal(
                np.unique(classes), self.classes_
            ):
                raise ValueError(
                    f"classes={list(classes)} differs from the classes of the first "
                    f"call, {self.classes_.tolist()}."
                )
            return self.target_encoder_.transform(y, lengths)
        self.target_encoder_ = self._target_encoder()
        encoded = self.target_encoder_.fit_transform(y, lengths, classes=classes)
        if hasattr(self.target_encoder_, "classes_"):
            self.classes_ = self.target_encoder_.classes_
        return encoded

    def _stratify(self, y):
        """Labels to stratify the validation split by, or None."""
        return None

    # -- fitting -------------------------------------------------------------

    def _check_params(self):
        for name in (
            "hidden_size",
            "num_layers",
            "max_epochs",
            "batch_size",
            "min_frequency",
            "n_iter_no_change",
        ):
            check_scalar(getattr(self, name), name, Integral, min_val=1)
        if self.max_vocabulary_size is not None:
            check_scalar(
                self.max_vocabulary_size, "max_vocabulary_size", Integral, min_val=1
            )
        check_scalar(self.char_embedding_dim, "char_embedding_dim", Integral, min_val=0)
        _check_number(self.lr, "lr", min_val=0, include_boundaries="neither")
        _check_number(self.weight_decay, "weight_decay", min_val=0)
        if self.gradient_clip is not None:
            _check_number(
                self.gradient_clip,
                "gradient_clip",
                min_val=0,
                include_boundaries="neither",
            )
        for name in ("dropout", "token_dropout"):
            _check_number(
                getattr(self, name),
                name,
                min_val=0,
                max_val=1,
                include_boundaries="left",
            )
        _check_number(
            self.validation_fraction,
            "validation_fraction",
            min_val=0,
            max_val=1,
            include_boundaries="neither",
        )
        choices = [("cell", tuple(CELLS)), ("bidirectional_merge", MERGES)]
        if not self._per_step:
            choices.append(("pooling", POOLINGS))
        for name, allowed in choices:
            value = getattr(self, name)
            if not (isinstance(value, str) and value in allowed):
                raise ValueError(
                    f"{name}={value!r} is not supported; expected one of "
                    f"{list(allowed)}."
                )
        if not (
            (isinstance(self.optimizer, str) and self.optimizer in OPTIMIZERS)
            or (
                inspect.isclass(self.optimizer)
                and issubclass(self.optimizer, torch.optim.Optimizer)
            )
        ):
            raise ValueError(
                f"optimizer={self.optimizer!r} is not supported; expected "
                f"one of {list(OPTIMIZERS)} or a torch optimizer class."
            )

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
        """The path of fit and partial_fit: ``incremental`` is one epoch over
        X, continuing the fitted network if there is one."""
        self._check_params()
        device = resolve_device(self.device)
        continuing = (incremental or self.warm_start) and hasattr(self, "net_")
        if incremental and not continuing and classes is None:
            if self._target_encoder.needs_classes:
                raise ValueError(
                    f"The first call of {type(self).__name__}.partial_fit needs "
                    "classes, every label there will be: a chunk may not hold them "
                    "all (as in scikit-learn's partial_fit)."
                )
        if not continuing:
            # a fit that fails part-way leaves an unfitted estimator, never a new
            # vocabulary beside an old network
            vars(self).pop("net_", None)
        X = self._check_table(X, reset=not continuing)
        if continuing:
            data = self.input_encoder_.transform(X)
        else:
            pretrained = (
                None
                if self.pretrained_embeddings is None
                else read_pretrained(self.pretrained_embeddings)
            )
            self.input_encoder_ = InputEncoder(
                tokenizer=self.tokenizer,
                lowercase=self.lowercase,
                min_frequency=self.min_frequency,
                max_vocabulary_size=self.max_vocabulary_size,
                extra_tokens=pretrained[0] if pretrained else (),
                standardize=self.standardize,
                characters=self.char_embedding_dim > 0,
            )
            data = self.input_encoder_.fit_transform(X)
            self._set_input_attributes()
        y = self._check_y(y, len(data))
        targets = self._encode_targets(
            y, data.lengths.numpy(), reset=not continuing, classes=classes
        )
        dataset = data.with_targets(
            targets,
            per_step=self._per_step,
            sample_weight=_check_sample_weight(sample_weight, len(data)),
        )
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        if continuing:
            self.net_.move_to(device)
        with seeded(seed, device):
            if not continuing:
                self.net_ = self._build_net(targets, device, pretrained)
            train, valid = (
                (dataset, None) if incremental else self._split(dataset, targets, seed)
            )
            # training settings, callbacks and split are set for each run: a warm
            # start picks up changed hyperparameters, and an unpickled net has no
            # callbacks or split
            self.net_.set_params(
                lr=self.lr,
                optimizer__weight_decay=self.weight_decay,
                max_epochs=1 if incremental else self.max_epochs,
                batch_size=self.batch_size,
                verbose=self.verbose,
            )
            self.net_.callbacks = self._callbacks(early_stopping=valid is not None)
            self.net_.train_split = None if valid is None else predefined_split(valid)
            self.net_.initialize_callbacks()
            try:
                with gpu_memory_errors(self.batch_size, "training"):
                    self.net_.partial_fit(train)
            finally:
                self.history_ = self.net_.history
                self.n_iter_ = len(self.history_)
        if self.net_.interrupted_ and not _stopped_early(self.net_):
            if self.history_ and "train_loss" not in self.history_[-1]:
                del self.history_[-1]  # the epoch that was cut short
            self.n_iter_ = len(self.history_)
            warnings.warn(
                f"Training was interrupted after {self.n_iter_} complete epochs; the "
                "estimator keeps the weights reached so far and can predict.",
                stacklevel=2,
            )
        return self

    def _check_table(self, X, *, reset):
        """scikit-learn's own checks and feature bookkeeping for a 2-D table X.

        Its columns are the time steps: ``n_features_in_`` (and ``feature_names_in_``
        for a DataFrame) are set in fit and enforced at predict, as for any
        scikit-learn estimator, when the estimator was fitted on a table. Other
        inputs pass through to the input encoder.
        """
        if not is_table(X):
            return X
        if reset or self.input_encoder_.n_columns_ is not None:
            return validate_data(self, X, reset=reset, dtype="numeric")
        # fitted on a list of sequences: a table is sequences of any length
        return check_array(X, dtype="numeric")

    def _check_y(self, y, n_sequences):
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )
        if not (hasattr(y, "__len__") or hasattr(y, "shape")):
            y = np.asarray(y)
        n_targets = y.shape[0] if getattr(y, "shape", None) else len(y)
        if n_targets != n_sequences:
            raise ValueError(
                f"X has {n_sequences} sequences but y has {n_targets} targets; "
                "expected one target per sequence."
            )
        return y

    def _set_input_attributes(self):
        encoder = self.input_encoder_
        vars(self).pop("vocabulary_", None)
        if encoder.vocabulary_ is not None:
            self.vocabulary_ = encoder.vocabulary_.index
        if encoder.n_columns_ is None:  # a table's columns were counted by sklearn
            for name in ("n_features_in_", "feature_names_in_"):
                vars(self).pop(name, None)
            if encoder.n_features_:
                self.n_features_in_ = encoder.n_features_

    def _split(self, dataset, targets, seed):
        if not self.early_stopping:
            return dataset, None
        train, valid = train_test_split(
            np.arange(len(dataset)),
            test_size=self.validation_fraction,
            random_state=seed,
            stratify=self._stratify(targets),
        )
        return dataset.subset(train), dataset.subset(valid)

    def _build_net(self, targets, device, pretrained):
        encoder = self.input_encoder_
        embedding_dim = self.embedding_dim
        if pretrained is not None:
            width = pretrained[1].shape[1]
            if embedding_dim not in (None, width):
                raise ValueError(
                    f"embedding_dim={embedding_dim} differs from the width {width} of "
                    "pretrained_embeddings; leave embedding_dim=None to use it."
                )
            embedding_dim = width
        criterion, criterion_params = self._criterion(targets)
        net = SequenceNet(
            SequenceModel,
            criterion,
            module__output_size=self.target_encoder_.n_outputs,
            module__vocab_size=len(encoder.vocabulary_) if encoder.vocabulary_ else 0,
            module__embedding_dim=embedding_dim or 64,
            module__n_features=encoder.n_features_,
            module__n_chars=len(encoder.char_vocabulary_ or ()),
            module__char_embedding_dim=self.char_embedding_dim,
            module__cell=self.cell,
            module__hidden_size=self.hidden_size,
            module__num_layers=self.num_layers,
            module__bidirectional=self.bidirectional,
            module__dropout=self.dropout,
            module__token_dropout=self.token_dropout,
            module__pooling=None if self._per_step else self.pooling,
            module__bidirectional_merge=self.bidirectional_merge,
            optimizer=OPTIMIZERS.get(self.optimizer, self.optimizer),
            device=device,
            criterion__reduction="none",  # SequenceNet.get_loss averages
            **{f"criterion__{k}": v for k, v in criterion_params.items()},
        ).initialize()
        if pretrained is not None:
            self._load_pretrained(net.module_, *pretrained)
        return net

    def _callbacks(self, early_stopping):
        """The skorch callbacks for this training run, from the hyperparameters."""
        callbacks = [DivergenceGuard(), *(self.callbacks or [])]
        if self.gradient_clip is not None:
            callbacks.append(GradientNormClipping(self.gradient_clip))
        if early_stopping:
            callbacks.append(
                EarlyStopping(patience=self.n_iter_no_change, load_best=True)
            )
        return callbacks

    def _load_pretrained(self, module, tokens, vectors):
        """Start known tokens' rows from their pretrained vectors.

        With ``lowercase``, tokens that fold to one row ("The", "the") give it the
        vector listed first: vector files list a word's most frequent form first.
        """
        weights = module.embedding.weight.detach().clone()
        rows, first = np.unique(
            self.input_encoder_.embedding_rows(tokens), return_index=True
        )
        weights[rows] = torch.as_tensor(vectors[first], device=weights.device)
        module.load_embeddings(weights, freeze=self.freeze_embeddings)

    # -- predicting ------------------------------------------------------------

    def _forward(self, X):
        """Raw module outputs for X in X's order (on CPU), and X's sequence lengths.

        Per-step outputs are one ``(n_steps, C)`` tensor, sequence after sequence.
        The net runs on the current ``device`` and in batches of the current
        ``batch_size`` (twice it, without the memory of a backward pass).
        """
        check_is_fitted(self, "net_")
        check_scalar(self.batch_size, "batch_size", Integral, min_val=1)
        X = self._check_table(X, reset=False)
        data = self.input_encoder_.transform(X)
        self.net_.move_to(resolve_device(self.device, strict=False))
        self.net_.batch_size = self.batch_size
        with gpu_memory_errors(self.batch_size, "prediction"):
            return self.net_.forward(data), data.lengths.numpy()
