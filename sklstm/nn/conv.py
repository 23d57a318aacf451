"""Temporal convolutions over real steps only: LSTM-FCN's convolutional branch."""

import torch
from torch import nn

from sklstm.nn.pooling import step_mask

__all__ = ["CONV_KERNEL_SIZES", "ConvBranch", "MaskedBatchNorm1d", "unpatch"]

#: kernel sizes of the blocks, first to last, as in LSTM-FCN (Karim et al. 2017)
CONV_KERNEL_SIZES = (8, 5, 3)


class MaskedBatchNorm1d(nn.BatchNorm1d):
    """:class:`torch.nn.BatchNorm1d` over ``(B, C, T)`` whose training statistics
    come from real steps only, and whose outputs are zero on padding.

    In evaluation it normalises with the running statistics, as torch's does, so a
    sequence's outputs do not depend on what it is batched with.
    """

    def forward(self, x, mask):
        if not self.training:
            return super().forward(x) * mask[:, None]
        real = mask[:, None].to(x.dtype)
        count = real.sum().clamp(min=1)
        mean = (x * real).sum(dim=(0, 2)) / count
        var = (((x - mean[:, None]) * real) ** 2).sum(dim=(0, 2)) / count
        with torch.no_grad():
            unbiased = var * count / (count - 1).clamp(min=1)
            self.running_mean.lerp_(mean, self.momentum)
            self.running_var.lerp_(unbiased, self.momentum)
            self.num_batches_tracked += 1
        scale = self.weight / torch.sqrt(var + self.eps)
        normalised = (x - mean[:, None]) * scale[:, None] + self.bias[:, None]
        return normalised * real


def unpatch(features, lengths, patch_size):
    """Patched features (see :class:`~sklstm.data.InputEncoder`) back as steps.

    ``features`` is ``(B, T, patch_size * F + 1)``: ``patch_size`` steps side by
    side and the share of real steps in the patch. Returns the steps ``(B, T *
    patch_size, F)`` and their mask of real steps ``(B, T * patch_size)``.
    Without patching (``patch_size=1``), the features and the mask of ``lengths``.
    """
    batch_size, n_patches, _ = features.shape
    if patch_size == 1:
        return features, step_mask(lengths, n_patches)
    steps = features[..., :-1].reshape(batch_size, n_patches * patch_size, -1)
    real = torch.round(features[..., -1] * patch_size)  # real steps per patch
    offsets = torch.arange(patch_size, device=features.device)
    mask = offsets < real[..., None]
    return steps, mask.reshape(batch_size, n_patches * patch_size)


def _span(kernel_size, dilation):
    """How many consecutive steps one output of a dilated kernel reads."""
    return (kernel_size - 1) * dilation + 1


class ConvBranch(nn.Module):
    """Convolution blocks over the steps, then the mean over real steps.

    Each block is a 1-D convolution ("same" length), a batch normalisation and a
    ReLU, as in the fully convolutional branch of LSTM-FCN (Karim et al. 2017),
    with the dilation doubling from block to block, as in a temporal
    convolutional network (Bai et al. 2018): LSTM-FCN's three blocks see 14
    steps of the input, these 24. Padding never changes an output: steps past a
    sequence's end are zero before every convolution (as they are when the
    sequence is convolved alone), batch statistics count real steps only, and
    the final mean is over real steps.

    Parameters
    ----------
    input_size : int
        Features per step.
    filters : tuple of int
        Output channels of each block; the output has ``filters[-1]`` features.
    kernel_sizes : tuple of int, default=CONV_KERNEL_SIZES
        Kernel size of each block (the last repeats for extra blocks).

    Examples
    --------
    >>> branch = ConvBranch(2, filters=(8, 16))
    >>> branch(torch.zeros(3, 10, 2), torch.ones(3, 10, dtype=torch.bool)).shape
    torch.Size([3, 16])
    """

    def __init__(self, input_size, filters, kernel_sizes=CONV_KERNEL_SIZES):
        super().__init__()
        sizes = [*kernel_sizes[: len(filters)]]
        sizes += [kernel_sizes[-1]] * (len(filters) - len(sizes))
        channels = [input_size, *filters]
        self.convolutions = nn.ModuleList(
            nn.Conv1d(a, b, size, dilation=2**i, padding=_span(size, 2**i) // 2)
            for i, (a, b, size) in enumerate(
                zip(channels[:-1], filters, sizes, strict=True)
            )
        )
        self.norms = nn.ModuleList(MaskedBatchNorm1d(b) for b in filters)
        self.output_size = filters[-1]

    def forward(self, steps, mask):
        """``steps`` ``(B, T, F)`` and their ``mask`` of real steps ``(B, T)`` ->
        ``(B, filters[-1])``."""
        x = steps.transpose(1, 2) * mask[:, None].to(steps.dtype)
        for convolution, norm in zip(self.convolutions, self.norms, strict=True):
            x = convolution(x)
            if _span(convolution.kernel_size[0], convolution.dilation[0]) % 2 == 0:
                # a kernel spanning an even number of steps, padded by half that
                # on both sides, gives one step too many: without the first, this
                # is torch's padding="same" (its extra zero on the right), without
                # the copy torch warns of
                x = x[..., 1:]
            x = torch.relu(norm(x, mask))
        real = mask.to(x.dtype).sum(dim=1, keepdim=True).clamp(min=1)
        return x.sum(dim=2) / real
