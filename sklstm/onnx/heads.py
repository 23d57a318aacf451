"""The output heads' numpy twins, for the light predictor.

Each turns an exported graph's outputs into the estimator's answers as its head
in :mod:`sklstm.heads` does, from the state the head exported (``kind`` says
which twin reads it). Only numpy: no torch where the light predictor runs.
"""

import numpy as np

__all__ = ["LIGHT_HEADS", "LightHead", "log_softmax"]

#: collection types a multi-label y may come in (the form predict answers in)
LABEL_COLLECTIONS = {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}


class LightHead:
    #: the graph gives one output row per step
    step_outputs = False
    #: the graph is an encoder whose outputs the head decodes
    decodes = False
    classes_ = None

    def __init__(self, state):
        self.state = state
        if "classes" in state:
            self.classes_ = np.asarray(state["classes"], dtype=state["classes_dtype"])

    def per_sequence(self, values, lengths):
        """Per-step ``values`` split into one array per sequence; others as
        they are."""
        if not self.step_outputs:
            return values
        return np.split(values, np.cumsum(lengths)[:-1])


class _Classes(LightHead):
    """Mutually exclusive classes (:class:`~sklstm.heads.ClassHead`)."""

    def predict_proba(self, outputs, lengths):
        return self.per_sequence(np.exp(log_softmax(outputs)), lengths)

    def predict_log_proba(self, outputs, lengths):
        return self.per_sequence(log_softmax(outputs), lengths)

    def predict(self, outputs, lengths):
        return self.per_sequence(self.classes_[outputs.argmax(axis=-1)], lengths)


class _Tags(_Classes):
    """A class per step (:class:`~sklstm.heads.TagHead`)."""

    step_outputs = True


class _Labels(LightHead):
    """Any set of labels (:class:`~sklstm.heads.LabelSetHead`), at the threshold
    the estimator predicted with when it was exported."""

    def predict_proba(self, outputs, lengths):
        # the logistic sigmoid, written not to overflow for large logits
        return np.exp(-np.logaddexp(0.0, -outputs.astype(np.float64)))

    def predict(self, outputs, lengths):
        threshold = np.asarray(self.state["threshold"])
        indicator = (self.predict_proba(outputs, lengths) >= threshold).astype(int)
        form = self.state["form"]
        if form == "indicator":
            return indicator
        if form == "sparse":
            from scipy import sparse  # only models fitted on a sparse y need scipy

            return sparse.csr_matrix(indicator)
        collection = LABEL_COLLECTIONS[form]
        return [collection(self.classes_[row.astype(bool)]) for row in indicator]


class _Values(LightHead):
    """Real values (:class:`~sklstm.heads.ValueHead`), scaled back."""

    def predict(self, outputs, lengths):
        y = outputs.astype(np.float64) * self.state["scale"] + self.state["mean"]
        return y.ravel() if self.state["ndim"] == 1 else y


#: the twin of each exported head's ``kind``
LIGHT_HEADS = {"classes": _Classes, "tags": _Tags, "labels": _Labels, "values": _Values}


def log_softmax(logits):
    logits = logits.astype(np.float64)
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
