"""skorch callbacks that sklstm adds to every training run."""

import copy
import math

from skorch.callbacks import Callback

__all__ = ["FiniteLoss"]


class FiniteLoss(Callback):
    """Stop training when the loss turns NaN or infinite, keeping the last good weights.

    The module's weights are remembered at the start and after every epoch whose
    losses were all finite. When a training batch's loss is not finite, those weights
    are restored and :class:`FloatingPointError` says where it happened.
    """

    def on_train_begin(self, net, **kwargs):
        self._remember(net)

    def on_epoch_end(self, net, **kwargs):
        self._remember(net)

    def _remember(self, net):
        self.good_weights_ = copy.deepcopy(net.module_.state_dict())
        self.good_epochs_ = len(net.history) - (
            1 if net.history and "train_loss" not in net.history[-1] else 0
        )

    def on_batch_end(self, net, batch=None, training=None, loss=None, **kwargs):
        value = loss.item()
        if math.isfinite(value):
            return
        net.module_.load_state_dict(self.good_weights_)
        kept = (
            f"the weights after epoch {self.good_epochs_}"
            if self.good_epochs_
            else "its initial weights"
        )
        raise FloatingPointError(
            f"The training loss became {value} in epoch {len(net.history)} "
            f"({'training' if training else 'validation'} batch "
            f"{len(net.history[-1]['batches'])}); the estimator keeps {kept}. Try a "
            f"smaller learning rate (lr={net.lr}) or set gradient_clip."
        )
