"""Hyperparameters declared once: default, check and documentation together.

An estimator declares each hyperparameter as a class attribute::

    class LSTMRegressor(RegressorMixin, SequenceEstimator):
        pooling = hyperparameter(
            default="last", type='{"last", "mean"}', doc="How ...", check=one_of(...)
        )

and :class:`Declared` turns the declarations of a class and its parents into

* a keyword-only ``__init__`` that stores each value unchanged (what scikit-learn's
  ``get_params``, ``clone`` and searches read), visible to ``inspect.signature``,
  ``help()`` and, through ``dataclass_transform``, to IDEs and type checkers;
* :meth:`Declared._check_hyperparameters`, which runs every declared check (in
  ``fit``, so that ``set_params`` never bypasses one);
* the "Parameters" section of the class docstring, in place of ``{parameters}``.

The hyperparameters that every estimator shares are declared in
:mod:`sklstm.shared`.
"""

import inspect
import math
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

import joblib
import numpy as np
from sklearn.utils import check_scalar
from typing_extensions import dataclass_transform

__all__ = [
    "Declared",
    "Hyperparameter",
    "boolean",
    "fingerprints",
    "hyperparameter",
    "is_auto",
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


def hyperparameter(*, default, type, doc, check) -> Any:
    """Declare a hyperparameter (see :class:`Hyperparameter`).

    The arguments are named, so that type checkers (``dataclass_transform``) read
    ``default`` as the field's default.
    """
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


def or_value(special, check):
    """Check: exactly ``special`` (None or "auto", say), or what ``check`` accepts."""

    def check_or_special(value, name):
        if value is special or (isinstance(value, str) and value == special):
            return
        try:
            check(value, name)
        except (TypeError, ValueError) as error:
            # the message names every accepted form, the special value too
            raise type(error)(f"{error} {special!r} is also accepted.") from None

    return check_or_special


def fingerprints(estimator, names):
    """``{name: (fingerprint, repr)}`` of the current values of ``names``: equal
    fingerprints mean equal values (arrays and dicts compared by content)."""
    return {name: _fingerprint(getattr(estimator, name)) for name in names}


def _fingerprint(value):
    try:
        digest = joblib.hash(value)
    except Exception:  # noqa: BLE001 - an unpicklable value (a lambda) is itself
        digest = id(value)
    shown = repr(value)
    return digest, shown if len(shown) <= 60 else shown[:57] + "..."


def is_auto(value):
    """Whether a hyperparameter's value is the string "auto" (a numpy value, which
    compares elementwise, never is)."""
    return isinstance(value, str) and value == "auto"


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

    def _check_hyperparameters(self, names=None):
        """Run the declared checks of ``names`` (every one by default) on the
        current values."""
        for name in self._hyperparameters if names is None else names:
            self._hyperparameters[name].check(getattr(self, name), name)


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
