"""Losses over per-step outputs."""

from torch import nn

__all__ = ["StepCrossEntropyLoss"]


class StepCrossEntropyLoss(nn.CrossEntropyLoss):
    """Cross-entropy over ``(B, T, C)`` per-step logits and ``(B, T)`` labels.

    Padding steps carry the label ``ignore_index`` (-100) and add nothing to the loss;
    the mean is over real steps.

    Examples
    --------
    >>> import torch
    >>> loss = StepCrossEntropyLoss()
    >>> logits = torch.zeros(1, 3, 4)
    >>> round(loss(logits, torch.tensor([[0, 1, -100]])).item(), 4)  # log(4)
    1.3863
    """

    def forward(self, input, target):
        return super().forward(input.transpose(1, 2), target)
