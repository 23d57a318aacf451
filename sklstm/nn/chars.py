"""A word's representation computed from its characters."""

import torch
from torch import nn

__all__ = ["CharCNN"]


class CharCNN(nn.Module):
    """Embed a word's characters, convolve (width 3), and max-pool over the word.

    Gives words unseen in training a representation from their spelling (suffixes,
    capitals, digits). Character index 0 is padding: it embeds to zeros, which is
    what the convolution pads with anyway, and is masked out of the max, so a
    word's vector does not depend on how far it is padded.

    Parameters
    ----------
    n_chars : int
        Character vocabulary size, padding (0) and unknown (1) included.
    embedding_dim : int
        Size of the character embeddings and number of convolution filters (the
        output size).

    Notes
    -----
    ``forward(chars)`` maps ``(B, T, C)`` character indices to
    ``(B, T, embedding_dim)``; padding tokens (no characters) get zeros.

    Examples
    --------
    >>> cnn = CharCNN(n_chars=10, embedding_dim=4)
    >>> cnn(torch.tensor([[[2, 3, 0], [0, 0, 0]]])).shape
    torch.Size([1, 2, 4])
    """

    def __init__(self, n_chars, embedding_dim):
        super().__init__()
        self.embedding = nn.Embedding(n_chars, embedding_dim, padding_idx=0)
        self.conv = nn.Conv1d(embedding_dim, embedding_dim, kernel_size=3, padding=1)

    def forward(self, chars):
        batch, steps, width = chars.shape
        chars = chars.reshape(batch * steps, width)
        filters = self.conv(self.embedding(chars).transpose(1, 2))
        real = (chars != 0)[:, None, :]
        pooled = filters.masked_fill(~real, float("-inf")).amax(dim=-1)
        pooled = pooled.masked_fill(~real.any(dim=-1), 0.0)  # padding tokens
        return torch.relu(pooled).view(batch, steps, -1)
