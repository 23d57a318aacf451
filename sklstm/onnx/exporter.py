"""Writing a fitted estimator to one ONNX file: the network and how to read X."""

import copy
import io
import json
import os
import warnings

import onnx
import torch
from sklearn.utils.validation import check_is_fitted
from torch import nn

from sklstm._version import __version__
from sklstm.base import SequenceEstimator
from sklstm.onnx.predictor import FORMAT_VERSION, METADATA_KEY

__all__ = ["export"]

#: warnings of the TorchScript exporter that say nothing about an sklstm network: it
#: is chosen on purpose (see _graph); the tracer sees torch's own input checks in
#: nn.LSTM; no initial states are passed, so the LSTM runs at any batch size; the
#: indices of pooling="last" (lengths - 1) are never negative. The tests export and
#: compare at other batch sizes and lengths.
EXPECTED_WARNINGS = (
    "You are using the legacy TorchScript-based ONNX export",
    "The feature will be removed",
    "Converting a tensor to a Python boolean",
    "Exporting a model to ONNX with a batch_size other than 1",
    "Exporting aten::index operator of advanced indexing",
    "shares the same shape constraints with another axis",  # dynamo's axis names
)
#: the first ONNX opset with every operation the exported networks use
OPSET_VERSION = 17


def export(estimator, path, *, dynamo=False):
    """Write a fitted estimator to ``path`` as one ONNX file.

    The file holds the network, with dynamic batch and length axes, and in its
    metadata how to read X (tokenizer pattern, vocabularies, scaling) and what the
    outputs mean (class names, threshold, target scaling): with
    :func:`sklstm.onnx.load`, it alone predicts as the estimator does, with numpy
    and onnxruntime and without torch. See :mod:`sklstm.onnx.predictor` for its
    layout.

    Parameters
    ----------
    estimator : LSTMClassifier, LSTMMultiLabel, LSTMRegressor or LSTMTagger
        Fitted. :class:`~sklstm.LSTMSeq2Seq` cannot be exported yet: its decoder
        runs a loop (greedy or beam search) around the network.
    path : str or path-like
        The file to write.
    dynamo : bool, default=False
        Export with torch's dynamo exporter (``torch.onnx.export(dynamo=True)``,
        which needs ``onnxscript``), the one torch keeps. False uses the TorchScript
        exporter, which torch 2.13 marks deprecated but which exports a small
        network in 0.06 s against 2-3 s; both give the same predictions.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sklstm import LSTMClassifier
    >>> from sklstm.onnx import export, load
    >>> clf = LSTMClassifier(hidden_size=4, max_epochs=1, random_state=0)
    >>> clf = clf.fit([["a", "b"], ["b"], ["a"], ["b", "b"]], [0, 1, 0, 1])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "model.onnx"
    >>> export(clf, path)
    >>> (load(path).predict([["a"], ["b"]]) == clf.predict([["a"], ["b"]])).all()
    np.True_
    """
    if not isinstance(estimator, SequenceEstimator):
        raise TypeError(
            f"export takes a fitted sklstm estimator; got a {type(estimator).__name__}."
        )
    check_is_fitted(estimator, "net_")
    if estimator.head_.kind is None:
        raise TypeError(
            f"{type(estimator).__name__} cannot be exported to ONNX yet; "
            "LSTMClassifier, LSTMMultiLabel, LSTMRegressor and LSTMTagger can."
        )
    metadata = json.dumps(
        {
            "format": FORMAT_VERSION,
            "sklstm_version": __version__,
            "estimator": type(estimator).__name__,
            "input": estimator.input_encoder_.export_state(),
            "feature_names": _feature_names(estimator),
            "output": estimator._export_output(),
        }
    )
    model = onnx.load_model_from_string(
        _graph(estimator, per_step=estimator.head_.step_outputs, dynamo=dynamo)
    )
    onnx.helper.set_model_props(model, {METADATA_KEY: metadata})
    onnx.save_model(model, os.fspath(path))


def _feature_names(estimator):
    """The DataFrame column names of fit, checked at predict as the estimator does,
    or None."""
    names = getattr(estimator, "feature_names_in_", None)
    return None if names is None else [str(name) for name in names]


class _Graph(nn.Module):
    """The estimator's network with its inputs in a fixed order: ONNX inputs are
    positional, the network's streams are keyword arguments."""

    def __init__(self, network, streams):
        super().__init__()
        self.network = network
        self.streams = streams

    def forward(self, lengths, *inputs):
        return self.network(lengths, **dict(zip(self.streams, inputs, strict=True)))


def _graph(estimator, per_step, dynamo):
    """The serialised ONNX graph of the estimator's network (on CPU, in float32)."""
    network = copy.deepcopy(estimator.net_.module_).cpu().float().eval()
    lengths = torch.tensor([3, 2])  # two lengths, so no size is taken for constant
    example = {}
    if network.embedding is not None:
        example["tokens"] = torch.ones(2, 3, dtype=torch.long)
    if network.chars is not None:
        example["chars"] = torch.ones(2, 3, 2, dtype=torch.long)
    n_features = estimator.input_encoder_.n_step_features_
    if n_features:
        example["features"] = torch.zeros(2, 3, n_features)
    axes = {"lengths": {0: "batch"}, "outputs": {0: "batch"}}
    axes |= {name: {0: "batch", 1: "steps"} for name in example}
    if "chars" in axes:
        axes["chars"][2] = "characters"
    if per_step:
        axes["outputs"][1] = "steps"
    graph, arguments = _Graph(network, list(example)), (lengths, *example.values())
    names = {"input_names": ["lengths", *example], "output_names": ["outputs"]}
    with warnings.catch_warnings():
        for message in EXPECTED_WARNINGS:
            warnings.filterwarnings("ignore", message=message)
        if dynamo:
            # one torch.export.Dim per named axis, shared by the inputs that have it
            dims = {n: torch.export.Dim(n) for a in axes.values() for n in a.values()}
            shapes = [
                {axis: dims[name] for axis, name in axes[input_name].items()}
                for input_name in names["input_names"]
            ]
            program = torch.onnx.export(
                graph,
                arguments,
                **names,
                dynamic_shapes=(shapes[0], tuple(shapes[1:])),  # forward(lengths, *)
                opset_version=OPSET_VERSION,
                dynamo=True,
                verbose=False,
            )
            return program.model_proto.SerializeToString()
        buffer = io.BytesIO()
        torch.onnx.export(
            graph,
            arguments,
            buffer,
            **names,
            dynamic_axes=axes,
            opset_version=OPSET_VERSION,
            dynamo=False,
        )
    return buffer.getvalue()
