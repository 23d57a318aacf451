"""Encoding targets for the loss and decoding outputs back into the user's terms.

Every target encoder follows one protocol, which is all the estimators' shared
flow asks of it (``lengths`` are the input sequences' lengths, used by per-step
targets and ignored by the others):

``fit_transform(y, lengths=None, classes=None)``
    Learn the encoding from y (``classes``, from ``partial_fit``, names every label
    up front) and return the encoded targets: an array the loss takes.
``transform(y, lengths=None)``
    Encode y with what was learned; a label never learned is an error.
``inverse_transform(outputs, lengths=None)``
    Decoded predictions (indices, indicators or values) in the user's terms.
``loss_weights(class_weight, encoded)``
    The loss's weighting keyword arguments for the ``class_weight``
    hyperparameter (``{"weight": ...}``, ``{"pos_weight": ...}`` or ``{}``).
``n_outputs``
    The network's output size.
``classes_``
    The labels, or None for targets without classes.
``needs_classes``
    Whether ``partial_fit``'s first call must name every class.
"""

import numpy as np
from scipy import sparse
from sklearn.preprocessing import MultiLabelBinarizer
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_array, column_or_1d

from sklstm.validation import check_y_sequences

__all__ = [
    "ClassEncoder",
    "LabelSetEncoder",
    "TagEncoder",
    "TargetScaler",
    "flatten_tags",
]


class ClassEncoder:
    """Class labels <-> indices into ``classes_`` (sorted, as in scikit-learn).

    Examples
    --------
    >>> encoder = ClassEncoder()
    >>> encoder.fit_transform(["b", "a", "b"]).tolist()
    [1, 0, 1]
    >>> encoder.inverse_transform([0, 1]).tolist()
    ['a', 'b']
    """

    #: partial_fit must name every class at its first call (a chunk may lack some)
    needs_classes = True

    def fit_transform(self, y, lengths=None, classes=None):
        y = column_or_1d(y, warn=True)
        _check_labels(y)
        check_classification_targets(y)
        if classes is None:
            self.classes_, indices = np.unique(y, return_inverse=True)
        else:
            self.classes_ = np.unique(column_or_1d(classes))
            indices = self.transform(y)
        if len(self.classes_) < 2:
            raise ValueError(
                f"y has only one class ({self.classes_.tolist()}); at least 2 classes "
                "are needed to learn to tell them apart."
            )
        return indices.astype(np.int64)

    @property
    def n_outputs(self):
        return len(self.classes_)

    def transform(self, y, lengths=None):
        """Indices of known labels; a label not seen in fit is an error."""
        y = column_or_1d(y, warn=True)
        _check_labels(y)
        unknown = np.setdiff1d(y, self.classes_)
        if unknown.size:
            raise ValueError(
                f"y contains labels not seen in fit: {unknown.tolist()[:10]}; "
                f"known classes are {self.classes_.tolist()}."
            )
        return np.searchsorted(self.classes_, y).astype(np.int64)

    def inverse_transform(self, indices, lengths=None):
        return self.classes_[np.asarray(indices)]

    def loss_weights(self, class_weight, indices):
        """Per-class loss weights (``weight``) for ``class_weight``."""
        if class_weight is None:
            return {}
        classes = np.arange(len(self.classes_))
        if isinstance(class_weight, dict):
            _check_class_weight_keys(class_weight, self.classes_)
            class_weight = {
                int(np.searchsorted(self.classes_, label)): weight
                for label, weight in class_weight.items()
            }
        weight = compute_class_weight(class_weight, classes=classes, y=indices)
        return {"weight": weight}


def _check_labels(y):
    """Refuse missing labels (None, NaN): sorting labels would meet None as a bare
    TypeError, and NaN would become a class of its own."""
    if y.dtype.kind == "f":
        missing = np.flatnonzero(np.isnan(y)).tolist()
    elif y.dtype == object:
        missing = [
            i for i, v in enumerate(y) if v is None or (isinstance(v, float) and v != v)
        ]
    else:
        return
    if missing:
        raise ValueError(
            f"y holds a missing label ({y[missing[0]]!r}) at {len(missing)} "
            f"position(s), the first at {missing[0]} (of the labels, flattened); "
            "every label must be given. Drop or fill those samples first."
        )


def _check_class_weight_keys(class_weight, classes):
    """A dict ``class_weight`` may only name labels of y, as in scikit-learn."""
    labels = set(classes.tolist())
    unknown = [label for label in class_weight if label not in labels]
    if unknown:
        raise ValueError(
            f"class_weight has keys that are not labels of y: {unknown}; the "
            f"labels are {classes.tolist()}."
        )


class TargetScaler:
    """Standardise regression targets (1-D or 2-D) and undo it for predictions.

    Examples
    --------
    >>> scaler = TargetScaler()
    >>> scaler.fit_transform([1.0, 3.0]).ravel().tolist()
    [-1.0, 1.0]
    >>> scaler.inverse_transform([[0.0]]).tolist()
    [2.0]
    """

    needs_classes = False
    classes_ = None

    def fit_transform(self, y, lengths=None, classes=None):
        if classes is not None:
            raise ValueError(
                "classes is for classifiers; a regressor's targets have none."
            )
        y = self._check(y)
        self.ndim_ = y.ndim
        y = y.reshape(len(y), -1)
        self.mean_ = y.mean(axis=0)
        std = y.std(axis=0)
        self.scale_ = np.where(std > 0, std, 1.0)
        return self.transform(y)

    def transform(self, y, lengths=None):
        y = self._check(y).reshape(len(y), -1)
        if y.shape[1] != self.n_outputs:
            raise ValueError(
                f"y has {y.shape[1]} targets; the estimator was fitted "
                f"on {self.n_outputs}."
            )
        return ((y - self.mean_) / self.scale_).astype(np.float32)

    @staticmethod
    def _check(y):
        y = np.asarray(y)
        try:
            y = y.astype(np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                f"y must hold numbers for regression; got dtype {y.dtype}."
            ) from None
        if y.ndim not in (1, 2):
            raise ValueError(
                f"y has shape {y.shape}; expected (n_samples,) or "
                "(n_samples, n_targets)."
            )
        # scikit-learn's own check and message ("Input y contains NaN.")
        return check_array(y, ensure_2d=False, input_name="y")

    @property
    def n_outputs(self):
        return len(self.mean_)

    def inverse_transform(self, outputs, lengths=None):
        y = np.asarray(outputs, dtype=np.float64) * self.scale_ + self.mean_
        return y.ravel() if self.ndim_ == 1 else y

    def loss_weights(self, class_weight, encoded):
        """No weights: regression targets have no classes."""
        return {}


class LabelSetEncoder:
    """Multi-label targets <-> a binary indicator matrix, in the form they came in.

    ``y`` is an indicator matrix (n x k, dense or scipy sparse) or a list of label
    collections (``[{"sports"}, set(), ...]``); :meth:`inverse_transform` answers in
    the same form.

    Examples
    --------
    >>> encoder = LabelSetEncoder()
    >>> encoder.fit_transform([{"b"}, {"a", "b"}, set()]).tolist()
    [[0.0, 1.0], [1.0, 1.0], [0.0, 0.0]]
    >>> encoder.inverse_transform([[1, 0]])
    [{'a'}]
    """

    #: an indicator matrix holds every label; label sets may name them in classes
    needs_classes = False

    def fit_transform(self, y, lengths=None, classes=None):
        indicator = _as_indicator(y)
        if indicator is not None:
            self.form_ = "sparse" if sparse.issparse(y) else "indicator"
            self.classes_ = np.arange(indicator.shape[1])
        else:
            self.form_ = self._collection_type(y)
            self._binarizer = MultiLabelBinarizer(
                classes=None if classes is None else sorted(classes)
            )
            if classes is None:
                indicator = self._binarizer.fit_transform(y)
                self.classes_ = self._binarizer.classes_
            else:
                self.classes_ = self._binarizer.fit([]).classes_
                indicator = self.transform(y)  # a label outside classes is an error
        if indicator.shape[1] == 0:
            raise ValueError(
                "y has no labels at all; LSTMMultiLabel needs at least "
                "one label column."
            )
        return indicator.astype(np.float32)

    @staticmethod
    def _collection_type(y):
        if isinstance(y, str) or not hasattr(y, "__len__"):
            raise ValueError(
                f"y is a {type(y).__name__}; expected an indicator matrix "
                "or a list of label collections."
            )
        if any(
            isinstance(labels, str) or not hasattr(labels, "__iter__") for labels in y
        ):
            raise ValueError(
                "Only binary classification is supported per label, and y must list "
                "the labels of each sample: an (n_samples, n_labels) indicator matrix "
                "or label collections such as [{'a', 'b'}, set()]. Got a 1-D "
                f"{type_of_target(np.asarray(y))} y with one value per "
                "sample; one class per sample is a job for LSTMClassifier."
            )
        kinds = {type(labels) for labels in y}
        return (
            kinds.pop()
            if len(kinds) == 1 and kinds <= {list, tuple, set, frozenset}
            else set
        )

    @property
    def n_outputs(self):
        return len(self.classes_)

    def transform(self, y, lengths=None):
        if self.form_ in ("sparse", "indicator"):
            indicator = _as_indicator(y)
            if indicator is None:
                raise ValueError(
                    "y is not an indicator matrix; the estimator was fitted on one."
                )
            if indicator.shape[1] != len(self.classes_):
                raise ValueError(
                    f"y has {indicator.shape[1]} label columns; the "
                    f"estimator was fitted on {len(self.classes_)}."
                )
            return indicator.astype(np.float32)
        unknown = set().union(*map(set, y)) - set(self.classes_)
        if unknown:
            raise ValueError(
                f"y contains labels not seen in fit: {sorted(unknown)}; "
                f"known labels are {self.classes_.tolist()}."
            )
        return self._binarizer.transform(y).astype(np.float32)

    def inverse_transform(self, indicator, lengths=None):
        indicator = np.asarray(indicator, dtype=int)
        if self.form_ == "indicator":
            return indicator
        if self.form_ == "sparse":
            return sparse.csr_matrix(indicator)
        return [
            self.form_(labels)
            for labels in self._binarizer.inverse_transform(indicator)
        ]

    def loss_weights(self, class_weight, indicator):
        """Positive-class loss weights per label (``pos_weight``) for ``class_weight``.

        'balanced' weighs each label's positives by negatives / positives, the
        ``pos_weight`` of :class:`torch.nn.BCEWithLogitsLoss`; a dict gives a weight
        per label.
        """
        if class_weight is None:
            return {}
        if isinstance(class_weight, dict):
            _check_class_weight_keys(class_weight, self.classes_)
            return {
                "pos_weight": np.array(
                    [class_weight.get(c, 1.0) for c in self.classes_]
                )
            }
        positives = indicator.sum(axis=0)
        degenerate = (positives == 0) | (positives == len(indicator))
        if degenerate.any():
            raise ValueError(
                "class_weight='balanced' is ill-defined for labels that are always or "
                f"never present in y: {self.classes_[degenerate].tolist()}."
            )
        return {"pos_weight": (len(indicator) - positives) / positives}


def _as_indicator(y):
    """y as a dense 0/1 matrix if it is an indicator matrix, else None.

    Arrays, sparse matrices and rectangular lists of numeric rows (as
    ``indicator.tolist()`` gives) are indicator matrices, as in scikit-learn; other
    lists hold label collections.
    """
    if sparse.issparse(y):
        dense = y.toarray()
    else:
        try:
            dense = np.asarray(y)
        except ValueError:  # ragged lists: label collections
            return None
        if dense.ndim != 2 or dense.dtype.kind not in "biuf":
            return None
    if not np.isin(dense, (0, 1)).all():
        raise ValueError(
            "Only binary classification is supported per label: y must be an "
            "(n_samples, n_labels) indicator matrix of 0/1 entries or a list of label "
            f"collections; got a {type_of_target(dense)} target with values "
            f"{np.unique(dense)[:5].tolist()}."
        )
    return dense


class TagEncoder:
    """Per-step labels <-> flat class indices, checked against sequence lengths.

    Examples
    --------
    >>> encoder = TagEncoder()
    >>> encoder.fit_transform([["DET", "NOUN"], ["VERB"]], [2, 1]).tolist()
    [0, 1, 2]
    >>> [tags.tolist() for tags in encoder.inverse_transform([2, 0], [1, 1])]
    [['VERB'], ['DET']]
    """

    def __init__(self):
        self.labels = ClassEncoder()

    @property
    def classes_(self):
        return self.labels.classes_

    @property
    def n_outputs(self):
        return len(self.classes_)

    needs_classes = True

    def fit_transform(self, y, lengths, classes=None):
        return self.labels.fit_transform(flatten_tags(y, lengths), classes=classes)

    def transform(self, y, lengths):
        return self.labels.transform(flatten_tags(y, lengths))

    def inverse_transform(self, indices, lengths):
        labels = self.labels.inverse_transform(indices)
        return np.split(labels, np.cumsum(lengths)[:-1])

    def loss_weights(self, class_weight, indices):
        return self.labels.loss_weights(class_weight, indices)


def flatten_tags(y, lengths=None):
    """Concatenate label sequences into one 1-D array (for scikit-learn's metrics).

    With ``lengths``, check that each label sequence is as long as its input sequence.

    Examples
    --------
    >>> flatten_tags([["DET", "NOUN"], ["VERB"]]).tolist()
    ['DET', 'NOUN', 'VERB']
    """
    y = check_y_sequences(y, "label sequences", "[['DET', 'NOUN'], ['VERB']]")
    sequences = []
    for i, labels in enumerate(y):
        if lengths is not None and len(labels) != lengths[i]:
            raise ValueError(
                f"y[{i}] has {len(labels)} labels but X[{i}] has {lengths[i]} steps; "
                "each sequence needs one label per step."
            )
        array = np.asarray(labels)
        if array.dtype.kind == "U" and not all(isinstance(v, str) for v in labels):
            # numpy would turn None or NaN among strings into "None" or "nan" tags
            array = np.asarray(labels, dtype=object)
        sequences.append(array)
    if not sequences:
        raise ValueError("y is empty; expected one label sequence per input sequence.")
    return np.concatenate(sequences)
