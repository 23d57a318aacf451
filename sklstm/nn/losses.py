"""Losses over per-step outputs."""

import torch
from torch import nn

__all__ = ["StepCrossEntropyLoss", "StepValueLoss"]


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


class StepValueLoss(nn.Module):
    """Per-step loss of real-valued output sequences with an "ends here" flag.

    ``input`` and ``target`` are ``(B, T, F + 1)``: ``F`` values, trained with the
    squared error averaged over them, and a last column that the input holds as a
    logit and the target as 0/1 (1 on each sequence's last step), trained with a
    binary cross-entropy. Padding steps are NaN in the target and add nothing.
    Returns ``(B, T)`` losses (``reduction="none"``) or their mean over real steps.

    Examples
    --------
    >>> import torch
    >>> target = torch.tensor([[[1.0, 0.0], [2.0, 1.0], [float("nan")] * 2]])
    >>> loss = StepValueLoss(reduction="none")
    >>> loss(torch.zeros(1, 3, 2), target)[0, 2].item()
    0.0
    """

    def __init__(self, reduction="mean"):
        super().__init__()
        self.reduction = reduction

    def forward(self, input, target):
        real = ~torch.isnan(target).any(dim=-1)
        target = target.nan_to_num(0.0)
        squared = (input[..., :-1] - target[..., :-1]).square().mean(dim=-1)
        ends = nn.functional.binary_cross_entropy_with_logits(
            input[..., -1], target[..., -1], reduction="none"
        )
        losses = (squared + ends) * real
        return losses if self.reduction == "none" else losses.sum() / real.sum()
