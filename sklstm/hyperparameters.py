"""Hyperparameters declared once: default, check and documentation together.

An estimator declares each hyperparameter as a class attribute::

    class LSTMRegressor(RegressorMixin, SequenceEstimator):
        pooling = hyperparameter("last", '{"last", "mean"}', "How ...", one_of(...))

and :class:`Declared` turns the declarations of a class and its parents into

* a keyword-only ``__init__`` that stores each value unchanged (what scikit-learn's
  ``get_params``, ``clone`` and searches read), visible to ``inspect.signature``,
  ``help()`` and, through ``dataclass_transform``, to IDEs and type checkers;
* :meth:`Declared._check_hyperparameters`, which runs every declared check (in
  ``fit``, so that ``set_params`` never bypasses one);
* the "Parameters" section of the class docstring, in place of ``{parameters}``.

The hyperparameters that every estimator shares are declared on
:class:`~sklstm.base.SequenceEstimator`.
"""

import inspect
import math
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

import numpy as np
import torch
from sklearn.utils import check_random_state, check_scalar
from typing_extensions import dataclass_transform

from sklstm.data.pretrained import read_pretrained
from sklstm.data.tokenize import make_tokenizer
from sklstm.devices import resolve_device
from sklstm.nn.pooling import MERGES, POOLINGS
from sklstm.nn.recurrent import CELLS

__all__ = [
    "CLASS_WEIGHT",
    "OPTIMIZERS",
    "POOLING",
    "Declared",
    "Hyperparameter",
    "SharedHyperparameters",
    "boolean",
    "hyperparameter",
    "integer",
    "one_of",
    "real",
]


@dataclass(frozen=True)
class Hyperparameter:
    """One hyperparameter: its default, numpydoc type, one-paragraph doc and check.

    ``check(value, name)`` raises ``ValueError`` (or ``TypeError``) naming the
    hyperparameter, the value received and what is expected.
    """

    default: Any
    type: str
    doc: str
    check: Callable[[Any, str], None]

    def render(self, name):
        """The numpydoc entry of this hyperparameter under ``name``."""
        default = f'"{self.default}"' if isinstance(self.default, str) else self.default
        body = textwrap.fill(
            self.doc, width=88, initial_indent=" " * 8, subsequent_indent=" " * 8
        )
        return f"    {name} : {self.type}, default={default}\n{body}"


def hyperparameter(default, type, doc, check) -> Any:
    """Declare a hyperparameter (see :class:`Hyperparameter`)."""
    return Hyperparameter(default, type, doc, check)


def integer(low, *, none=False):
    """Check: an integer of at least ``low`` (or None, with ``none``)."""

    def check(value, name):
        if not (none and value is None):
            check_scalar(value, name, Integral, min_val=low)

    return check


def real(low=None, high=None, *, closed="both", none=False):
    """Check: a finite real number within the bounds (or None, with ``none``).

    ``closed`` says which bounds are allowed, as in ``check_scalar``; NaN, which
    passes every comparison ``check_scalar`` makes, is refused too.
    """

    def check(value, name):
        if none and value is None:
            return
        check_scalar(
            value, name, Real, min_val=low, max_val=high, include_boundaries=closed
        )
        if not math.isfinite(value):
            raise ValueError(f"{name} == {value}, must be a finite number.")

    return check


def one_of(*choices):
    """Check: one of the given strings."""

    def check(value, name):
        if not (isinstance(value, str) and value in choices):
            raise ValueError(
                f"{name}={value!r} is not supported; expected one of {list(choices)}."
            )

    return check


def boolean(value, name):
    """Check: True or False (numpy's too)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}={value!r} must be True or False.")


@dataclass_transform(kw_only_default=True, field_specifiers=(hyperparameter,))
class Declared:
    """Base of classes that declare their hyperparameters with :func:`hyperparameter`.

    A subclass may still write its own ``__init__(self, *, extra=..., **params)``
    that calls ``super().__init__(**params)``: its signature then joins its own
    parameters with its parent's, so scikit-learn sees them all.
    """

    _hyperparameters = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        own = {
            name: value
            for name, value in vars(cls).items()
            if isinstance(value, Hyperparameter)
        }
        inherited = {}  # in the order of the nearest parent's declarations
        for base in cls.__mro__[1:]:
            for name, value in vars(base).get("_hyperparameters", {}).items():
                inherited.setdefault(name, value)
        # the class's own first, then its parents' (own declarations win)
        cls._hyperparameters = own | {
            name: value for name, value in inherited.items() if name not in own
        }
        for name, declared in own.items():
            setattr(cls, name, declared.default)  # as dataclasses do
        if "__init__" in vars(cls):
            _join_signature(cls)
        else:
            cls.__init__ = _storing_init(cls._hyperparameters)
            cls.__init__.__qualname__ = f"{cls.__qualname__}.__init__"
        if cls.__doc__ and "{parameters}" in cls.__doc__:
            entries = "\n".join(
                declared.render(name) for name, declared in cls._hyperparameters.items()
            )
            cls.__doc__ = cls.__doc__.replace("    {parameters}", entries)

    def _check_hyperparameters(self):
        """Run every declared check on the current values."""
        for name, declared in self._hyperparameters.items():
            declared.check(getattr(self, name), name)


def _storing_init(hyperparameters):
    """A keyword-only ``__init__`` that stores each hyperparameter unchanged."""
    names = list(hyperparameters)
    source = "def __init__(self, *, {}):\n{}".format(
        ", ".join(f"{name}=_defaults[{name!r}]" for name in names),
        "".join(f"    self.{name} = {name}\n" for name in names) or "    pass\n",
    )
    namespace = {"_defaults": {n: h.default for n, h in hyperparameters.items()}}
    exec(source, namespace)  # noqa: S102 - as dataclasses builds __init__
    init = namespace["__init__"]
    init.__doc__ = "Store the hyperparameters; ``fit`` checks them."
    return init


def _join_signature(cls):
    """Give a hand-written ``__init__(self, *, extra=..., **params)`` its parent's
    parameters as well, so that scikit-learn sees every one of them."""
    own = [
        p
        for p in inspect.signature(cls.__init__).parameters.values()
        if p.kind != p.VAR_KEYWORD
    ]
    names = {p.name for p in own}
    inherited = [
        p
        for p in inspect.signature(super(cls, cls).__init__).parameters.values()
        if p.name not in names
    ]
    cls.__init__.__signature__ = inspect.Signature(own + inherited)


def _optimizer(value, name):
    if not (
        (isinstance(value, str) and value in OPTIMIZERS)
        or (inspect.isclass(value) and issubclass(value, torch.optim.Optimizer))
    ):
        raise ValueError(
            f"{name}={value!r} is not supported; expected one of {list(OPTIMIZERS)} "
            "or a torch optimizer class."
        )


def _optional_list(value, name):
    if value is not None and not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a list or None; got {type(value).__name__}.")


def _pretrained(value, name):
    if value is not None:
        read_pretrained(value)


def _random_state(value, name):
    try:
        check_random_state(value)
    except ValueError:
        raise ValueError(
            f"{name}={value!r} is not supported; expected None, an integer or a "
            "numpy RandomState."
        ) from None


def _class_weight(value, name):
    if not (value is None or value == "balanced" or isinstance(value, dict)):
        raise ValueError(
            f"{name}={value!r} is not supported; expected None, 'balanced' or a dict "
            "label -> weight."
        )


#: the optimizers known by name
OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}

#: the summary of each sequence, for the estimators with one output per sequence
POOLING = hyperparameter(
    "last",
    '{"last", "mean", "max", "attention"}',
    'How each sequence is summarised: the final hidden state ("last"; for a '
    "bidirectional net, the forward state at the sequence's last element joined "
    "with the backward state at its first), or the mean, max or attention-weighted "
    "mean of the top layer's outputs over the sequence's real steps.",
    one_of(*POOLINGS),
)

#: class weights in the loss, for the estimators of exclusive classes
CLASS_WEIGHT = hyperparameter(
    None,
    'None, "balanced" or dict',
    "Weights of the classes in the loss, as in scikit-learn; a dict's keys must be "
    "labels of y.",
    _class_weight,
)


class SharedHyperparameters(Declared):
    """The hyperparameters every sklstm estimator has."""

    # -- reading the input
    tokenizer: Any = hyperparameter(
        None,
        "None, str or callable",
        "How raw strings are split into tokens: None for words and punctuation marks "
        '(``r"\\w+|[^\\w\\s]"``), a regular expression whose matches are the tokens, '
        "or a callable from a string to a list of tokens.",
        lambda value, name: make_tokenizer(value),
    )
    lowercase: bool = hyperparameter(
        False,
        "bool",
        "Lowercase string tokens before building or looking up the vocabulary; the "
        "character-level representation still reads them as written.",
        boolean,
    )
    min_frequency: int = hyperparameter(
        1,
        "int",
        "Tokens seen fewer times in the training data map to the unknown token.",
        integer(1),
    )
    max_vocabulary_size: Any = hyperparameter(
        None,
        "int or None",
        "Keep at most this many of the most frequent tokens.",
        integer(1, none=True),
    )
    pretrained_embeddings: Any = hyperparameter(
        None,
        "dict or tuple (array, tokens)",
        "Token vectors to start the embedding from: a mapping token -> vector, or an "
        "``(n_tokens, dim)`` array with its list of tokens. Their tokens join the "
        "vocabulary, so they are known at predict time even if unseen in training. "
        "With ``lowercase``, they are lowercased too, and of forms that fold together "
        '("The", "the") the one listed first gives the vector.',
        _pretrained,
    )
    freeze_embeddings: bool = hyperparameter(
        False, "bool", "Keep the embedding fixed during training.", boolean
    )
    standardize: bool = hyperparameter(
        True,
        "bool",
        "Standardise numeric features (zero mean, unit variance per feature).",
        boolean,
    )
    # -- the network
    embedding_dim: Any = hyperparameter(
        None,
        "int or None",
        "Size of token embeddings; None means 64, or the width of "
        "``pretrained_embeddings``.",
        integer(1, none=True),
    )
    char_embedding_dim: int = hyperparameter(
        0,
        "int",
        "If > 0, each string token is also read character by character (a char-CNN "
        "of this size, :class:`~sklstm.nn.CharCNN`) and that vector joins its "
        "embedding: words unseen in training still get a representation from their "
        "spelling. 0 turns it off.",
        integer(0),
    )
    cell: str = hyperparameter(
        "lstm", '{"lstm", "gru"}', "Recurrent cell type.", one_of(*CELLS)
    )
    hidden_size: int = hyperparameter(
        64, "int", "Features of the hidden state, per direction.", integer(1)
    )
    num_layers: int = hyperparameter(1, "int", "Stacked recurrent layers.", integer(1))
    bidirectional: bool = hyperparameter(
        False, "bool", "Also read each sequence backwards.", boolean
    )
    bidirectional_merge: str = hyperparameter(
        "concat",
        '{"concat", "sum"}',
        "How the two directions' outputs are joined.",
        one_of(*MERGES),
    )
    dropout: float = hyperparameter(
        0.0,
        "float",
        "Dropout on the recurrent input, between layers and before the output layer.",
        real(0, 1, closed="left"),
    )
    token_dropout: float = hyperparameter(
        0.0,
        "float",
        "While training, the chance that a token is read as the unknown token (word "
        "dropout): the model learns to use the context of words it has not seen, and "
        "relies less on any single word.",
        real(0, 1, closed="left"),
    )
    # -- training
    max_epochs: int = hyperparameter(
        10, "int", "Passes over the training data.", integer(1)
    )
    batch_size: int = hyperparameter(
        32,
        "int",
        "Sequences per training batch; prediction uses batches of twice as many.",
        integer(1),
    )
    lr: float = hyperparameter(
        1e-3, "float", "Learning rate.", real(0, closed="neither")
    )
    optimizer: Any = hyperparameter(
        "adam",
        '{"adam", "adamw", "sgd", "rmsprop"} or torch optimizer class',
        "The optimizer.",
        _optimizer,
    )
    weight_decay: float = hyperparameter(
        0.0, "float", "L2 penalty passed to the optimizer.", real(0)
    )
    gradient_clip: Any = hyperparameter(
        None,
        "float or None",
        "Clip the gradient norm to this value.",
        real(0, closed="neither", none=True),
    )
    early_stopping: bool = hyperparameter(
        False,
        "bool",
        "Hold out ``validation_fraction`` of the data and stop when its loss has not "
        "improved for ``n_iter_no_change`` epochs, keeping the best weights.",
        boolean,
    )
    validation_fraction: float = hyperparameter(
        0.1,
        "float",
        "Share of the training data held out for early stopping.",
        real(0, 1, closed="neither"),
    )
    n_iter_no_change: int = hyperparameter(
        5, "int", "Epochs without improvement before early stopping.", integer(1)
    )
    callbacks: Any = hyperparameter(
        None,
        "list of skorch callbacks or None",
        "Extra callbacks for the underlying :class:`skorch.NeuralNet`.",
        _optional_list,
    )
    verbose: int = hyperparameter(
        0, "int", "1 prints skorch's table of per-epoch losses.", integer(0)
    )
    warm_start: bool = hyperparameter(
        False,
        "bool",
        "Continue training the fitted network on the next ``fit``, keeping its "
        "vocabulary and targets.",
        boolean,
    )
    random_state: Any = hyperparameter(
        None,
        "int, RandomState or None",
        "Seeds weight initialisation, shuffling, dropout and the validation split. "
        "The same integer gives the same predictions on CPU.",
        _random_state,
    )
    device: Any = hyperparameter(
        "cpu",
        '{"cpu", "cuda", "cuda:N", "auto"} or torch.device',
        'Where to train; "auto" is CUDA when available. A fitted estimator loads and '
        "predicts on a machine without CUDA.",
        lambda value, name: resolve_device(value),
    )
