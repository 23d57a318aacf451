"""How a fit trains: whether it may go on from the fitted network, the part it
holds out, and the callbacks that stop and schedule training, from the
estimator's resolved settings (:mod:`sklstm.settings`)."""

import warnings

import numpy as np
from sklearn.model_selection import train_test_split
from skorch.callbacks import GradientNormClipping, LRScheduler
from torch.optim.lr_scheduler import ReduceLROnPlateau

from sklstm.callbacks import EarlyStopping, EpochScore
from sklstm.hyperparameters import fingerprints
from sklstm.shared import TRAINING_LOSS_FLOOR

__all__ = [
    "check_first_chunk",
    "check_unchanged",
    "hold_out",
    "training_callbacks",
]


def check_first_chunk(estimator, classes):
    """What the first call of partial_fit needs: every class up front, and no
    weights that only the whole data could give."""
    name = type(estimator).__name__
    if classes is None and estimator._head.needs_classes:
        raise ValueError(
            f"The first call of {name}.partial_fit needs classes, every label "
            "there will be: a chunk may not hold them all (as in scikit-learn's "
            "partial_fit)."
        )
    if getattr(estimator, "class_weight", None) == "balanced":
        raise ValueError(
            f"class_weight='balanced' is not supported by {name}.partial_fit: "
            "one chunk cannot tell the classes' frequencies in the whole data. "
            "Compute them with sklearn.utils.class_weight.compute_class_weight("
            "'balanced', classes=classes, y=y) on a large enough sample of the "
            "targets and pass class_weight as a dict label -> weight (as for "
            "scikit-learn's SGDClassifier.partial_fit)."
        )


def check_unchanged(estimator):
    """Refuse a warm start or partial_fit whose network-building
    hyperparameters changed since the network was built: it would go on
    training the old network while ``get_params`` says otherwise."""
    built = getattr(estimator, "_built_from", None)
    if built is None:  # fitted by an sklstm that did not record them
        return
    now = fingerprints(estimator, built)
    changed = [name for name in built if now[name][0] != built[name][0]]
    if changed:
        described = ", ".join(
            f"{name} ({built[name][1]} -> {now[name][1]})" for name in changed
        )
        raise ValueError(
            f"{type(estimator).__name__} continues training its fitted network "
            f"(warm_start=True or partial_fit), but {described} changed since "
            "the network was built, and the network cannot follow. Set them "
            "back, or fit anew with warm_start=False."
        )


def hold_out(estimator, dataset, labels, seed):
    """``(train, validation)`` datasets; no validation without early stopping.

    ``labels`` (encoded classes, or None) stratify the split where every class
    can be kept on both sides.
    """
    if not estimator.early_stopping_:
        return dataset, None
    fraction = estimator.validation_fraction
    if labels is not None:
        labels = _stratified_or_none(labels, estimator, fraction)
    train, valid = train_test_split(
        np.arange(len(dataset)),
        test_size=fraction,
        random_state=seed,
        stratify=labels,
    )
    train, valid = dataset.subset(train), dataset.subset(valid)
    if valid.sample_weight is not None and not valid.sample_weight.any():
        warnings.warn(
            "Every sequence held out for early stopping has sample weight 0; "
            "their loss is weighed equally instead. Give more sequences a "
            "non-zero weight, or set a larger validation_fraction.",
            UserWarning,
            stacklevel=4,  # the user's fit
        )
        valid.sample_weight = None
    if train.sample_weight is not None and not train.sample_weight.any():
        raise ValueError(
            "Every sequence left for training after holding out "
            f"validation_fraction={fraction} for early stopping "
            "has sample weight 0, so there is nothing to learn from. Give more "
            "sequences a non-zero weight, or set early_stopping=False."
        )
    return train, valid


def _stratified_or_none(labels, estimator, fraction):
    """``labels`` if a stratified split can keep every class on both sides;
    else None (an unstratified split), with a warning that names the classes
    in the way."""
    classes = estimator.classes_
    n_sequences = len(labels)
    n_valid = int(np.ceil(fraction * n_sequences))
    counts = np.bincount(labels, minlength=len(classes))
    present = np.flatnonzero(counts)
    single = classes[counts == 1].tolist()
    if single:
        why = f"these classes have a single sequence: {single[:10]}"
    elif len(present) > min(n_valid, n_sequences - n_valid):
        why = (
            f"the {len(present)} classes do not fit in the {n_valid} held-out sequences"
        )
    else:
        return labels
    warnings.warn(
        f"early_stopping holds out validation_fraction={fraction} "
        f"of the data, split by class, but {why}; the part is held out without "
        "regard to class instead. Set early_stopping=False to train on all data.",
        UserWarning,
        stacklevel=5,  # the user's fit
    )
    return None


def training_callbacks(estimator, valid, incremental):
    """The skorch callbacks for one training run, from the hyperparameters.

    sklstm's own are named (``"valid_score"``, ``"lr_schedule"``...): skorch
    groups callbacks of one name at the first one's place, which would move them
    before the score they read when the user's ``callbacks`` hold one of the same
    class. A user's ``LRScheduler`` replaces ``lr_schedule="adaptive"``.
    """
    callbacks = list(estimator.callbacks or [])
    if estimator.gradient_clip is not None:
        callbacks.append(
            ("gradient_clip", GradientNormClipping(estimator.gradient_clip))
        )
    tol = estimator.tol
    if incremental or (valid is None and tol is None):
        return callbacks
    monitor, lower_is_better = "train_loss", True
    if valid is not None and estimator._validation_scoring:
        monitor, lower_is_better = "valid_score", False
        callbacks.append(
            (
                monitor,
                EpochScore(
                    estimator._validation_scoring, name=monitor, lower_is_better=False
                ),
            )
        )
    elif valid is not None:
        monitor = "valid_loss"
    patience = estimator.n_iter_no_change_
    users = [c[1] if isinstance(c, tuple) else c for c in estimator.callbacks or []]
    if estimator.lr_schedule == "adaptive" and not any(
        isinstance(c, LRScheduler) or c is LRScheduler for c in users
    ):
        callbacks.append(
            (
                "lr_schedule",
                LRScheduler(
                    ReduceLROnPlateau,
                    monitor=monitor,
                    mode="min" if lower_is_better else "max",
                    factor=0.5,
                    patience=patience // 2,  # halves after patience // 2 + 1 epochs
                    threshold=tol or 0.0,
                    threshold_mode="abs",
                ),
            )
        )
    callbacks.append(
        (
            "early_stopping",
            EarlyStopping(
                monitor=monitor,
                lower_is_better=lower_is_better,
                patience=patience,
                threshold=tol or 0.0,
                threshold_mode="abs",
                load_best=True,
                floor=(
                    TRAINING_LOSS_FLOOR
                    if monitor == "train_loss" and tol is not None
                    else None
                ),
            ),
        )
    )
    return callbacks
