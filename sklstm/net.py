"""The skorch net behind every estimator."""

from skorch import NeuralNet
from skorch.utils import to_device

from sklstm.data import BucketIterator

__all__ = ["SequenceNet"]


class SequenceNet(NeuralNet):
    """A skorch ``NeuralNet`` over :class:`~sklstm.data.SequenceDataset`.

    Batches come from :class:`~sklstm.data.BucketIterator` (similar lengths together,
    padded to the batch's longest sequence), and :meth:`forward` returns outputs in
    the dataset's order however the batches were sorted.

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
