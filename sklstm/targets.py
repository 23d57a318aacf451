"""Encoding targets for the loss and decoding outputs back into the user's terms."""

import numpy as np
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d

__all__ = ["ClassEncoder", "TargetScaler"]


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

    def fit_transform(self, y):
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        self.classes_, indices = np.unique(y, return_inverse=True)
        return indices.astype(np.int64)

    def transform(self, y):
        """Indices of known labels; a label not seen in fit is an error."""
        y = column_or_1d(y, warn=True)
        unknown = np.setdiff1d(y, self.classes_)
        if unknown.size:
            raise ValueError(
                f"y contains labels not seen in fit: {unknown.tolist()[:10]}; "
                f"known classes are {self.classes_.tolist()}."
            )
        return np.searchsorted(self.classes_, y).astype(np.int64)

    def inverse_transform(self, indices):
        return self.classes_[np.asarray(indices)]

    def class_weight(self, class_weight, indices):
        """Per-class loss weights for ``class_weight`` (None, 'balanced' or a dict)."""
        if class_weight is None:
            return None
        classes = np.arange(len(self.classes_))
        if isinstance(class_weight, dict):
            class_weight = {
                int(np.searchsorted(self.classes_, label)): weight
                for label, weight in class_weight.items()
                if label in self.classes_
            }
        return compute_class_weight(class_weight, classes=classes, y=indices)


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

    def fit_transform(self, y):
        y = self._check(y)
        self.ndim_ = y.ndim
        y = y.reshape(len(y), -1)
        self.mean_ = y.mean(axis=0)
        std = y.std(axis=0)
        self.scale_ = np.where(std > 0, std, 1.0)
        return self.transform(y)

    def transform(self, y):
        y = self._check(y).reshape(len(y), -1)
        if y.shape[1] != self.n_targets:
            raise ValueError(
                f"y has {y.shape[1]} targets; the estimator was fitted "
                f"on {self.n_targets}."
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
        if not np.isfinite(y).all():
            raise ValueError(
                "y contains NaN or infinity; regression targets must be finite."
            )
        return y

    @property
    def n_targets(self):
        return len(self.mean_)

    def inverse_transform(self, outputs):
        y = np.asarray(outputs, dtype=np.float64) * self.scale_ + self.mean_
        return y.ravel() if self.ndim_ == 1 else y
