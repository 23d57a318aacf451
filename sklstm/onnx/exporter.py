"""Writing a fitted estimator to one ONNX file: the network and how to read X."""

import base64
import contextlib
import copy
import importlib.util
import io
import json
import logging
import os
import warnings

import onnx
import torch
from sklearn.utils.validation import check_is_fitted
from torch import nn

from sklstm._version import __version__
from sklstm.base import SequenceEstimator
from sklstm.onnx.predictor import DECODER_STEP_KEY, FORMAT_VERSION, METADATA_KEY

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
    # the dynamo exporter's, about torch's internals: axis names, nn.LSTM's flat
    # weights, its own deprecations
    ".*shares the same shape constraints with another axis",
    ".*were assigned during export",
    "_check_is_size will be removed",
    ".*isinstance.treespec, LeafSpec.",
)
#: the logger of torch's table of ONNX translations, whose warnings say nothing
#: about an sklstm network ("torchvision is not installed. Skipping
#: torchvision::nms", four lines on the first dynamo export of a process)
REGISTRY_LOGGER = "torch.onnx._internal.exporter._registration"
#: the first ONNX opset with every operation the exported networks use
OPSET_VERSION = 17
#: the lowest opset torch's dynamo exporter writes: asked for 17, it logs a failed
#: conversion and keeps 18
DYNAMO_OPSET_VERSION = 18

try:
    # torch.export's LSTM and GRU decompositions as a while_loop, which keep the
    # length axis free. torch 2.13's ONNX exporter applies them while it captures the
    # graph but not when it decomposes it afterwards, which traces the LSTM step by
    # step again and fixes the length to the example's (pytorch/pytorch#191855, fixed
    # by #193192 in a later release); held around the whole export, they apply to both.
    from torch.export._patches import (
        register_gru_while_loop_decomposition,
        register_lstm_while_loop_decomposition,
    )
except ImportError:  # a torch without them: dynamo="auto" exports with TorchScript
    register_lstm_while_loop_decomposition = None


def export(estimator, path, *, dynamo="auto"):
    """Write a fitted estimator to ``path`` as one ONNX file.

    The file holds the network, with dynamic batch and length axes, and in its
    metadata how to read X (tokenizer pattern, vocabularies, scaling) and what the
    outputs mean (class names, threshold, target scaling): with
    :func:`sklstm.onnx.load`, it alone predicts as the estimator does, with numpy
    and onnxruntime and without torch. See :mod:`sklstm.onnx.predictor` for its
    layout.

    Parameters
    ----------
    estimator : LSTMClassifier, LSTMMultiLabel, LSTMRegressor, LSTMTagger or LSTMSeq2Seq
        Fitted. An :class:`~sklstm.LSTMSeq2Seq` is written as its encoder (the
        file's graph) and one decoder step (a second graph in the same file);
        the light predictor runs its greedy or beam-search decoding in numpy,
        with the ``beam_size`` and ``max_output_length`` it has when exported.
    path : str or path-like
        The file to write.
    dynamo : bool or "auto", default="auto"
        Export with torch's dynamo exporter (``torch.onnx.export(dynamo=True)``,
        which needs ``onnxscript``), the one torch keeps, or with its TorchScript
        exporter (False), which torch 2.13 marks deprecated. Both give the same
        predictions; the dynamo exporter takes 1-3 s for a small network, the
        TorchScript one 0.06 s. "auto" uses the dynamo exporter where it writes
        the network with every batch size and length free (with ``onnxscript``
        installed, on a torch with ``torch.export``'s while-loop LSTM
        decomposition, 2.13 here) and TorchScript otherwise, as for an
        :class:`~sklstm.LSTMSeq2Seq`: its encoder's final states come from
        torch's packed LSTM kernel, which ``torch.export`` cannot trace. Where the
        dynamo exporter would fix the length axis to the example's 3 steps,
        ``dynamo=True`` raises a ValueError rather than write a file that reads
        3 steps only.

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
    dynamo = _use_dynamo(dynamo, estimator)
    properties = {}
    if estimator.head_.decodes:
        model, step = _seq2seq_graphs(estimator)
        step = step.SerializeToString()
        properties[DECODER_STEP_KEY] = base64.b64encode(step).decode("ascii")
    else:
        model = _network_graph(estimator, dynamo)
    properties[METADATA_KEY] = json.dumps(
        {
            "format": FORMAT_VERSION,
            "sklstm_version": __version__,
            "estimator": type(estimator).__name__,
            "input": estimator.input_encoder_.export_state(),
            "feature_names": _feature_names(estimator),
            "output": estimator._export_output(),
        }
    )
    onnx.helper.set_model_props(model, properties)
    onnx.save_model(model, os.fspath(path))


def _use_dynamo(dynamo, estimator):
    """Whether to export with torch's dynamo exporter: ``dynamo`` checked, "auto"
    resolved (see export)."""
    if dynamo == "auto":
        return (
            not estimator.head_.decodes
            and register_lstm_while_loop_decomposition is not None
            and importlib.util.find_spec("onnxscript") is not None
        )
    if not isinstance(dynamo, bool):
        raise ValueError(f'dynamo must be True, False or "auto"; got {dynamo!r}.')
    if estimator.head_.decodes and dynamo:
        raise ValueError(
            "LSTMSeq2Seq exports with dynamo=False only: its encoder's final "
            "states come from torch's packed LSTM kernel, which torch.export "
            "cannot trace."
        )
    return dynamo


def _feature_names(estimator):
    """The DataFrame column names of fit, checked at predict as the estimator does,
    or None."""
    names = getattr(estimator, "feature_names_in_", None)
    return None if names is None else [str(name) for name in names]


class _Graph(nn.Module):
    """A network's method with its inputs in a fixed order: ONNX inputs are
    positional, the network's streams are keyword arguments."""

    def __init__(self, network, streams, method="forward"):
        super().__init__()
        self.network = network
        self.streams = streams
        self.method = method

    def forward(self, lengths, *inputs):
        method = getattr(self.network, self.method)
        return method(lengths, **dict(zip(self.streams, inputs, strict=True)))


class _Encoder(_Graph):
    """An encoder-decoder's encoder: the decoder's initial states, and the
    attention's memory where it has one (its mask is the lengths')."""

    def forward(self, lengths, *inputs):
        states, memory, _ = super().forward(lengths, *inputs)
        return states if memory is None else (*states, memory)


class _DecoderStep(nn.Module):
    """One step of an encoder-decoder's decoder, inputs and outputs positional:
    ``(previous, *states[, memory, mask]) -> (outputs, *states)``."""

    def __init__(self, network, n_states):
        super().__init__()
        self.network = network
        self.n_states = n_states

    def forward(self, previous, *inputs):
        states = inputs[: self.n_states]
        memory, mask = inputs[self.n_states :] or (None, None)
        outputs, states = self.network.step(previous, states, memory, mask)
        return (outputs, *states)


def _network(estimator):
    """A copy of the estimator's network on CPU, in float32, for inference."""
    return copy.deepcopy(estimator.net_.module_).cpu().float().eval()


def _streams(estimator, network):
    """Example input streams (a batch of 2, 3 steps) and their named axes."""
    example = {}
    if network.embedding is not None:
        example["tokens"] = torch.ones(2, 3, dtype=torch.long)
    if network.chars is not None:
        example["chars"] = torch.ones(2, 3, 2, dtype=torch.long)
    n_features = estimator.input_encoder_.n_step_features_
    if n_features:
        example["features"] = torch.zeros(2, 3, n_features)
    axes = {name: {0: "batch", 1: "steps"} for name in example}
    if "chars" in axes:
        axes["chars"][2] = "characters"
    return example, axes


#: two lengths, so no size is taken for constant
LENGTHS = torch.tensor([3, 2])


def _network_graph(estimator, dynamo):
    """The ONNX model of a network that maps X's streams to outputs."""
    network = _network(estimator)
    example, axes = _streams(estimator, network)
    axes |= {"lengths": {0: "batch"}, "outputs": {0: "batch"}}
    if estimator.head_.step_outputs:
        axes["outputs"][1] = "steps"
    return _serialise(
        _Graph(network, list(example)),
        {"lengths": LENGTHS, **example},
        ["outputs"],
        axes,
        dynamo,
    )


def _seq2seq_graphs(estimator):
    """The ONNX models of an encoder-decoder's encoder and decoder step.

    The encoder's final states come from torch's packed kernel, which only the
    TorchScript exporter writes down (as ONNX's LSTM/GRU with sequence lengths).
    """
    network = _network(estimator)
    example, axes = _streams(estimator, network)
    state_names = ["h", "c"] if network.recurrent.cell == "lstm" else ["h"]
    memory = ["memory"] if network.attention else []
    axes |= {"lengths": {0: "batch"}, "memory": {0: "batch", 1: "steps"}}
    axes |= {name: {1: "batch"} for name in state_names}
    encoder = _serialise(
        _Encoder(network, list(example), method="start"),
        {"lengths": LENGTHS, **example},
        [*state_names, *memory],
        axes,
        dynamo=False,
    )
    # each state (num_layers, batch, hidden): the step reads and writes them
    states = network.start(LENGTHS, **example)[0]
    previous = network._first_input(len(LENGTHS), LENGTHS.device)
    inputs = {"previous": previous}
    inputs |= dict(zip(state_names, states, strict=True))
    next_states = [f"next_{name}" for name in state_names]
    axes = {"previous": {0: "batch"}, "outputs": {0: "batch"}}
    axes |= {name: {1: "batch"} for name in [*state_names, *next_states]}
    if memory:
        inputs["memory"] = torch.zeros(2, 3, network.recurrent.hidden_size)
        inputs["mask"] = torch.arange(3) < LENGTHS[:, None]
        axes |= {name: {0: "batch", 1: "steps"} for name in ("memory", "mask")}
    step = _serialise(
        _DecoderStep(network, len(state_names)),
        inputs,
        ["outputs", *next_states],
        axes,
        dynamo=False,
    )
    return encoder, step


def _serialise(graph, inputs, output_names, axes, dynamo):
    """``graph`` called on the example ``inputs`` (a dict in the graph's
    positional order), exported with the named dynamic ``axes``."""
    names = {"input_names": list(inputs), "output_names": output_names}
    axes = {name: axes[name] for name in [*inputs, *output_names] if name in axes}
    graph.eval()  # the wrapper's mode; the network is in eval mode already
    with warnings.catch_warnings():
        for message in EXPECTED_WARNINGS:
            warnings.filterwarnings("ignore", message=message)
        exporter = _dynamo_export if dynamo else _torchscript_export
        model = exporter(graph, tuple(inputs.values()), names, axes)
    # the TorchScript exporter drops an input the network does not read
    # (``lengths`` of a forward tagger); the file keeps it, so that every file has
    # the inputs the predictor feeds
    kept = {graph_input.name: graph_input for graph_input in model.graph.input}
    every = [kept.get(name) or _input_info(name, inputs[name], axes) for name in inputs]
    del model.graph.input[:]
    model.graph.input.extend(every)
    return model


def _torchscript_export(graph, arguments, names, axes):
    """The ONNX model of torch's TorchScript exporter."""
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
    return onnx.load_model_from_string(buffer.getvalue())


def _dynamo_export(graph, arguments, names, axes):
    """The ONNX model of torch's dynamo exporter, each of the named ``axes`` free."""
    # one torch.export.Dim per named axis, shared by the inputs that have it
    dims = {n: torch.export.Dim(n) for a in axes.values() for n in a.values()}
    shapes = [
        {axis: dims[name] for axis, name in axes.get(input_name, {}).items()}
        for input_name in names["input_names"]
    ]
    with _free_length_decompositions(), _quiet(REGISTRY_LOGGER):
        model = torch.onnx.export(
            graph,
            arguments,
            **names,
            dynamic_shapes=(shapes[0], tuple(shapes[1:])),  # forward(first, *)
            opset_version=DYNAMO_OPSET_VERSION,
            dynamo=True,
            verbose=False,
        ).model_proto
    _check_free_axes(model, axes)
    return model


def _input_info(name, example, axes):
    """An ONNX graph input like the example tensor, with its named axes."""
    named = axes.get(name, {})
    shape = [named.get(axis, size) for axis, size in enumerate(example.shape)]
    dtype = onnx.helper.np_dtype_to_tensor_dtype(example.numpy().dtype)
    return onnx.helper.make_tensor_value_info(name, dtype, shape)


@contextlib.contextmanager
def _quiet(name):
    """The named logger's warnings held back (errors still pass)."""
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


@contextlib.contextmanager
def _free_length_decompositions():
    """torch.export's while-loop LSTM and GRU decompositions, where torch has them."""
    if register_lstm_while_loop_decomposition is None:
        yield
        return
    with (
        register_lstm_while_loop_decomposition(),
        register_gru_while_loop_decomposition(),
    ):
        yield


def _check_free_axes(model, axes):
    """Refuse a graph one of whose inputs has a fixed size on an axis that
    ``axes`` (``{name: {axis: axis name}}``) names: such a file would refuse any
    other batch size or length."""
    for graph_input in model.graph.input:
        dims = graph_input.type.tensor_type.shape.dim
        for axis, name in axes.get(graph_input.name, {}).items():
            if not dims[axis].dim_param:
                raise ValueError(
                    f"torch's dynamo exporter fixed the {name!r} axis of input "
                    f"{graph_input.name!r} to the example's {dims[axis].dim_value} "
                    "(torch.export traces this network's LSTM step by step); export "
                    "with dynamo=False, torch's TorchScript exporter."
                )
