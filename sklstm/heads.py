"""Output heads: what a network's outputs mean, from the loss to the user's terms.

Each estimator has one head (``head_`` once fitted). A head is the estimator's
target encoder (see :mod:`sklstm.targets`) together with everything else that
depends on what the outputs are, so that nothing downstream guesses it from a
tensor's rank or the loss's type:

``loss``
    The criterion class, called with ``reduction="none"`` and the encoder's
    ``loss_weights``.
``per_step``
    Targets come one per input step (the dataset pads them with the inputs).
``step_outputs``
    The network gives one output row per step (of the input, or of the target
    sequence under teacher forcing): :meth:`~sklstm.net.SequenceNet.forward`
    returns the real steps flat, sequence after sequence.
``loss_per_step``
    The loss gives one value per step, averaged over real steps; otherwise one
    value per sequence (or per sequence and output), averaged over those. A
    structured loss over per-step outputs (a CRF's) has ``step_outputs`` without
    ``loss_per_step``.
``decodes``
    A decoder emits the outputs, one step at a time and of their own lengths
    (an encoder-decoder): the rules of "auto" and the export tell it apart.
``predict_encoded``
    Predictions in the encoded targets' terms, which validation scoring (and so
    early stopping) compares with the dataset's ``y``.
``predict``, ``predict_proba``, ``predict_log_proba``
    The estimator's answers, in the user's terms (each where it means
    something), from the outputs and the sequences' lengths.
``kind``, ``export_state``
    What an exported graph's outputs are and the JSON state its numpy twin in
    :mod:`sklstm.onnx.heads` needs to answer as the head does; a ``kind`` of None
    is not exportable.
"""

import numpy as np
import torch
from torch import nn

from sklstm.data.inputs import json_value
from sklstm.nn.losses import StepCrossEntropyLoss, StepValueLoss
from sklstm.nn.seq2seq import END, PAD
from sklstm.sequence_targets import (
    FIRST_SYMBOL,
    SymbolSequenceEncoder,
    ValueSequenceEncoder,
    output_kind,
)
from sklstm.targets import ClassEncoder, LabelSetEncoder, TagEncoder, TargetScaler

__all__ = [
    "ClassHead",
    "Head",
    "LabelSetHead",
    "OutputSequenceHead",
    "SymbolSequenceHead",
    "TagHead",
    "ValueHead",
    "ValueSequenceHead",
]


class Head:
    """The part of every head that does not depend on its outputs' meaning.

    Subclasses mix it with a target encoder and set ``loss``, ``kind`` and the
    layout flags (see the module's docstring).
    """

    loss = None
    kind = None
    per_step = False
    #: a decoder emits the outputs, of their own lengths (an encoder-decoder)
    decodes = False

    @classmethod
    def for_targets(cls, y):
        """The head for targets y (unfitted); heads whose kind depends on y
        choose."""
        return cls()

    @property
    def step_outputs(self):
        return self.per_step

    @property
    def loss_per_step(self):
        return self.step_outputs

    def predict_encoded(self, outputs):
        """The outputs themselves (values); classification heads decide."""
        return outputs

    def predict(self, outputs, lengths):
        """Predictions in the user's terms."""
        return self.inverse_transform(self.predict_encoded(outputs).numpy(), lengths)

    def per_sequence(self, values, lengths):
        """Per-step ``values`` split into one array per sequence; per-sequence
        values as they are."""
        if not self.step_outputs:
            return values
        return np.split(values, np.cumsum(lengths)[:-1])


class _Softmax(Head):
    """Mutually exclusive classes: logits, their softmax, the most probable."""

    def predict_encoded(self, outputs):
        return outputs.argmax(dim=-1)

    def predict_proba(self, outputs, lengths):
        proba = torch.softmax(outputs.double(), dim=-1).numpy()
        return self.per_sequence(proba, lengths)

    def predict_log_proba(self, outputs, lengths):
        # from the logits: finite where log(predict_proba) is not
        log_proba = torch.log_softmax(outputs.double(), dim=-1).numpy()
        return self.per_sequence(log_proba, lengths)

    def export_state(self):
        return _classes_state(self.classes_)


def _classes_state(classes):
    return {
        "classes": [json_value(label) for label in classes],
        "classes_dtype": classes.dtype.str,
    }


class ClassHead(_Softmax, ClassEncoder):
    """One class per sequence, trained with a cross-entropy."""

    loss = nn.CrossEntropyLoss
    kind = "classes"


class TagHead(_Softmax, TagEncoder):
    """One class per step, trained with a cross-entropy over real steps."""

    loss = StepCrossEntropyLoss
    kind = "tags"
    per_step = True


class LabelSetHead(Head, LabelSetEncoder):
    """Any set of labels per sequence: a logit per label, an independent sigmoid."""

    loss = nn.BCEWithLogitsLoss
    kind = "labels"

    def predict_encoded(self, outputs):
        """0/1 per label at the probability 0.5 (a logit of 0)."""
        return (outputs >= 0).to(outputs.dtype)

    def predict_proba(self, outputs, lengths=None):
        return torch.sigmoid(outputs.double()).numpy()

    def export_state(self):
        form = self.form_
        return {
            **_classes_state(self.classes_),
            "form": form if isinstance(form, str) else form.__name__,
        }


class ValueHead(Head, TargetScaler):
    """Real values per sequence, standardised for a squared error."""

    loss = nn.MSELoss
    kind = "values"

    def export_state(self):
        return {
            "mean": self.mean_.tolist(),
            "scale": self.scale_.tolist(),
            "ndim": self.ndim_,
        }


class OutputSequenceHead(Head):
    """An output sequence per sequence (the encoder-decoder): under teacher
    forcing, per-step outputs over the target sequence's steps. y's kind picks
    the head (:meth:`for_targets`): symbols or values."""

    step_outputs = True
    decodes = True

    @classmethod
    def for_targets(cls, y):
        if output_kind(y) == "symbols":
            return SymbolSequenceHead()
        return ValueSequenceHead()


class SymbolSequenceHead(OutputSequenceHead, SymbolSequenceEncoder):
    """Output symbols, trained with a cross-entropy over real output steps (the
    end symbol included), decoded greedily or with a beam search."""

    loss = StepCrossEntropyLoss
    kind = "symbol_sequences"
    #: the decoder feeds back symbols (``Seq2SeqModel(values=False)``)
    values = False

    def decoding(self, *, beam_size, exact_lengths):
        """Keyword arguments of :meth:`~sklstm.nn.Seq2SeqModel.generate`."""
        return {"beam_size": beam_size}

    def export_state(self):
        # the internal symbols' indices, which the numpy decoder needs too
        return {
            **_classes_state(self.classes_),
            "pad": PAD,
            "end": END,
            "first_symbol": FIRST_SYMBOL,
        }


class ValueSequenceHead(OutputSequenceHead, ValueSequenceEncoder):
    """Output values with an "ends here" flag per step, trained with the squared
    error and a binary cross-entropy; the decoder feeds back its predictions."""

    loss = StepValueLoss
    kind = "value_sequences"
    values = True

    def decoding(self, *, beam_size, exact_lengths):
        if beam_size > 1:
            raise ValueError(
                "beam_size > 1 searches among symbol outputs; this estimator "
                "predicts real values. Set beam_size=1."
            )
        return {"exact_lengths": exact_lengths}

    def export_state(self):
        return {
            "mean": self.mean_.tolist(),
            "scale": self.scale_.tolist(),
            "one_dimensional": self.one_dimensional_,
            "output_length": self.output_length_,
        }
