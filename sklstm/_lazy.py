"""Package attributes imported on first use.

The estimators and their data pipeline import torch. Loading them only when asked
for lets the light ONNX predictor (:mod:`sklstm.onnx`) run where only numpy and
onnxruntime are installed.
"""

import importlib
import sys

__all__ = ["lazy_attributes"]


def lazy_attributes(package, where):
    """``(__getattr__, __dir__)`` for ``package``, whose public names ``where`` maps
    to the modules defining them (PEP 562)."""

    def __getattr__(name):
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(where[name]), name)
        setattr(sys.modules[package], name, value)  # later lookups skip this
        return value

    def __dir__():
        return sorted({*vars(sys.modules[package]), *where})

    return __getattr__, __dir__
