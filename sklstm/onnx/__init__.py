"""Deploying without torch: export a fitted estimator to ONNX, predict from the file.

:func:`export` (torch, onnx) writes one ``.onnx`` file; :func:`load` (numpy and
onnxruntime alone) reads it back as an :class:`OnnxPredictor` with the estimator's
``predict`` and ``predict_proba``::

    from sklstm.onnx import export, load

    export(fitted_estimator, "model.onnx")  # where the estimator was trained
    load("model.onnx").predict(X)  # anywhere with numpy and onnxruntime
"""

from typing import TYPE_CHECKING

from sklstm._lazy import lazy_attributes

_WHERE = {
    "OnnxPredictor": "sklstm.onnx.predictor",
    "export": "sklstm.onnx.exporter",
    "load": "sklstm.onnx.predictor",
}
# export needs torch; load must not load it
__getattr__, __dir__ = lazy_attributes(__name__, _WHERE)
__all__ = list(_WHERE)

if TYPE_CHECKING:
    from sklstm.onnx.exporter import export as export
    from sklstm.onnx.predictor import OnnxPredictor as OnnxPredictor
    from sklstm.onnx.predictor import load as load
