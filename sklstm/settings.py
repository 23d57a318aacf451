"""What each "auto" hyperparameter stands for in one fit, decided in one place.

Every hyperparameter that accepts "auto" is resolved once per fit into the
fitted attribute of its name with a trailing underscore, as scikit-learn's
``HistGradientBoostingClassifier`` keeps ``do_early_stopping_``: ``pooling_``,
``bidirectional_``, ``dropout_``, ``conv_filters_``, ``hidden_size_``,
``char_embedding_dim_``, ``patch_size_``, ``standardize_``, ``early_stopping_``,
``batch_size_``, ``n_iter_no_change_``, ``weight_decay_``, ``device_``,
``distributed_`` (and ``threshold_``, which :class:`~sklstm.LSTMMultiLabel` learns
after training). A value other than "auto" is kept as given (a numpy boolean as a
bool). The network and its training are built from these attributes only, and the
user sees what was chosen.
"""

import numpy as np
from sklearn.base import is_classifier

from sklstm.devices import resolve_device
from sklstm.distributed import resolve_distributed
from sklstm.hyperparameters import is_auto
from sklstm.shared import (
    AUTO_BATCH_SIZES,
    AUTO_BY_INPUT,
    AUTO_CHAR_EMBEDDING_DIM,
    AUTO_DATA_SIZES,
    AUTO_HIDDEN_SIZE,
    AUTO_PATIENCE_STEPS,
    AUTO_TOKEN_DROPOUT_PAST,
    AUTO_VALIDATION_SIZE,
)

__all__ = ["auto_names", "resolve_input", "resolve_network", "resolve_training"]


def auto_names(estimator_class):
    """``{name: resolved type}`` of the hyperparameters of ``estimator_class``
    that accept "auto", as their declarations say."""
    return {
        name: _without_auto(declared.type)
        for name, declared in estimator_class._hyperparameters.items()
        if '"auto"' in declared.type
    }


def _without_auto(type_):
    """A declared numpydoc type without its "auto" option."""
    for pattern in ('"auto", ', ', "auto"', ' or "auto"'):
        type_ = type_.replace(pattern, "")
    if " or " not in type_ and not type_.startswith("{"):  # "int, None": the last
        type_ = " or ".join(type_.rsplit(", ", 1))
    return type_


def _given(value):
    return bool(value) if isinstance(value, np.bool_) else value


def resolve_input(estimator):
    """``{name: value}`` of what the input encoder reads by: whether it reads
    characters (True, False, or "auto": when the tokens are words), the patch
    size and the scaling ("auto" is left to the encoder, which sees the lengths
    and the series' scales)."""
    characters = estimator.char_embedding_dim
    if is_auto(characters):
        # characters for per-step outputs, where each word's own label depends on
        # reading it; never for one output per sequence (measured: see shared.py)
        characters = "auto" if estimator._head.per_step else False
    else:
        characters = characters > 0
    standardize = estimator.standardize
    if is_auto(standardize) and not is_classifier(estimator):
        # per-series scale is for telling shapes apart; on the one series
        # regression set measured (Covid3Month) it lost (RMSE 0.999 of the
        # training mean's, against 0.980)
        standardize = True
    return {
        "characters": characters,
        "patch_size": getattr(estimator, "patch_size", 1),
        "standardize": standardize,
    }


def resolve_network(estimator, encoder, n_sequences):
    """``{name_: value}`` for the hyperparameters the network is built from, once
    the input ``encoder`` has been fitted on ``n_sequences``."""
    tokens = encoder.vocabulary_ is not None
    # how many of AUTO_DATA_SIZES the training set is larger than
    passed = sum(n_sequences > n for n in AUTO_DATA_SIZES)
    resolved = {}
    for name in ("pooling", "bidirectional", "dropout", "conv_filters"):
        if name in estimator._hyperparameters:
            value = getattr(estimator, name)
            with_tokens, numeric = AUTO_BY_INPUT[name]
            if name == "dropout" and passed:
                with_tokens = AUTO_TOKEN_DROPOUT_PAST[passed - 1]
            auto = with_tokens if tokens else numeric
            resolved[f"{name}_"] = auto if is_auto(value) else _given(value)
    if is_auto(estimator.char_embedding_dim):
        reads_characters = encoder.char_vocabulary_ is not None
        resolved["char_embedding_dim_"] = (
            AUTO_CHAR_EMBEDDING_DIM if reads_characters else 0
        )
    else:
        resolved["char_embedding_dim_"] = estimator.char_embedding_dim
    hidden_size = estimator.hidden_size
    if is_auto(hidden_size):
        # narrow where the convolutions read shapes; on a table's short rows read
        # as series (scikit-learn's checks) the convolutions have little to read
        beside = bool(resolved.get("conv_filters_")) and encoder.shapes_
        hidden_size = AUTO_HIDDEN_SIZE[beside] * 2**passed
    resolved["hidden_size_"] = hidden_size
    if "patch_size" in estimator._hyperparameters:
        resolved["patch_size_"] = encoder.patch_size_
    resolved["standardize_"] = encoder.standardize_
    return resolved


def resolve_training(estimator, n_sequences, *, incremental):
    """``{name_: value}`` for how this fit trains on ``n_sequences``
    (``incremental``: one pass of partial_fit, without early stopping)."""
    early_stopping = estimator.early_stopping
    if incremental:
        early_stopping = False
    elif is_auto(early_stopping):
        # a tenth of fewer sequences is too few to judge by
        early_stopping = n_sequences >= AUTO_VALIDATION_SIZE
    # as train_test_split counts: the held-out part rounds up
    held_out = np.ceil(estimator.validation_fraction * n_sequences)
    n_train = n_sequences - int(held_out) if early_stopping else n_sequences
    batch_size = estimator.batch_size
    if is_auto(batch_size):
        batch_size, smallest = AUTO_BATCH_SIZES
        while batch_size > smallest and n_train <= batch_size:
            batch_size //= 2
    patience = estimator.n_iter_no_change
    if is_auto(patience):
        # a small data set takes few steps per epoch and many epochs to learn
        steps_per_epoch = -(-n_train // batch_size)
        patience = max(3, -(-AUTO_PATIENCE_STEPS // steps_per_epoch))
    weight_decay = estimator.weight_decay
    if is_auto(weight_decay):
        # per fit, not per network: a warm start may change it
        tokens = estimator.input_encoder_.vocabulary_ is not None
        weight_decay = AUTO_BY_INPUT["weight_decay"][0 if tokens else 1]
    return {
        "early_stopping_": bool(early_stopping),
        "batch_size_": batch_size,
        "n_iter_no_change_": patience,
        "weight_decay_": weight_decay,
        "device_": resolve_device(estimator.device),
        "distributed_": resolve_distributed(_given(estimator.distributed)),
    }
