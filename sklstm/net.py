"""The skorch net behind every estimator."""

import torch
from skorch import NeuralNet
from skorch.utils import to_device, to_tensor

from sklstm.data import IGNORE_INDEX, BucketIterator

__all__ = ["SequenceNet"]


class SequenceNet(NeuralNet):
    """A skorch ``NeuralNet`` over :class:`~sklstm.data.SequenceDataset`.

    Batches come from :class:`~sklstm.data.BucketIterator` (similar lengths together,
    padded to the batch's longest sequence), and :meth:`forward` returns outputs in
    the dataset's order however the batches were sorted.

    The criterion must return unreduced losses (``reduction="none"``):
    :meth:`get_loss` averages them itself, over real steps only and weighted by
    the sequences' sample weights when the batch carries them.

    Parameters
    ----------
    module, criterion
        As for :class:`skorch.NeuralNet`.
    **kwargs
        Any other :class:`skorch.NeuralNet` parameter. By default there is no
        internal validation split (``train_split=None``): the estimators make their
        own, stratified where it matters.
    """

    def __init__(self, module, criterion, **kwargs):
        kwargs = {
            "iterator_train": BucketIterator,
            "iterator_valid": BucketIterator,
            "iterator_train__shuffle": True,
            "train_split": None,
            **kwargs,
        }
        super().__init__(module, criterion, **kwargs)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """Mean loss over the batch's real elements, weighted by sample weight."""
        y_true = to_tensor(y_true, device=self.device)
        target, weight = y_true if isinstance(y_true, (tuple, list)) else (y_true, None)
        losses = self.criterion_(y_pred, target)
        losses = losses.reshape(len(losses), -1)  # (B, steps or labels or 1)
        counts = (
            (target != IGNORE_INDEX).to(losses.dtype)  # per-step: padding counts 0
            if y_pred.dim() == 3
            else torch.ones_like(losses)
        )
        if weight is not None:
            counts = counts * weight[:, None]
        # a batch of zero weight contributes a zero loss rather than 0 / 0
        return (losses * counts).sum() / counts.sum().clamp_min(1e-12)

    def forward(self, X, training=False, device="cpu"):
        """Module outputs for dataset ``X``, in its order.

        Returns an ``(n, ...)`` tensor for per-sequence outputs, or a list of
        ``(T_i, ...)`` tensors for per-step outputs.
        """
        iterator = self.get_iterator(self.get_dataset(X), training=False)
        outputs = [
            to_device(self.evaluation_step(batch, training), device)
            for batch in iterator
        ]
        return iterator.restore_order(outputs)
