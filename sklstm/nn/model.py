"""The sequence model shared by every sklstm estimator."""

import torch
from torch import nn

from sklstm.nn.chars import CharCNN
from sklstm.nn.conv import ConvBranch, unpatch
from sklstm.nn.pooling import SequencePooling
from sklstm.nn.recurrent import Recurrent
from sklstm.rng import Dropout, generator

__all__ = ["SequenceEncoder", "SequenceModel"]

#: embedding row of the unknown token (row 0 pads), as the vocabulary numbers them
UNKNOWN_INDEX = 1


class SequenceEncoder(nn.Module):
    """Embedding and/or numeric features -> LSTM/GRU: the encoder every model shares.

    Parameters
    ----------
    vocab_size : int, default=0
        Embedding rows (row 0 is padding); 0 for numeric-only input.
    embedding_dim : int, default=64
    n_features : int, default=0
        Numeric features per step, joined to the token embedding (if any).
    n_chars, char_embedding_dim : int, default=0
        Character vocabulary and :class:`~sklstm.nn.CharCNN` size; with both > 0
        each token's character-level vector joins its embedding.
    cell, hidden_size, num_layers, bidirectional, dropout
        See :class:`~sklstm.nn.Recurrent`. ``dropout`` also applies to the recurrent
        input.
    token_dropout : float, default=0.0
        While training, the chance that a token is read as the unknown token
        (embedding row 1), so that row learns what words unseen in training look
        like, and the model does not lean on any single word.
    embedding_std : float, default=1.0
        The standard deviation the token embedding starts from in a fit
        (:func:`sklstm.rng.initialize_parameters`); 1 is torch's default.
    """

    def __init__(
        self,
        *,
        vocab_size=0,
        embedding_dim=64,
        n_features=0,
        n_chars=0,
        char_embedding_dim=0,
        cell="lstm",
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        token_dropout=0.0,
        embedding_std=1.0,
    ):
        super().__init__()
        self.token_dropout = token_dropout
        self.embedding_dim = embedding_dim
        self.embedding = (
            nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
            if vocab_size
            else None
        )
        if self.embedding is not None:
            self.embedding.init_std = embedding_std
        self.chars = (
            CharCNN(n_chars, char_embedding_dim)
            if n_chars and char_embedding_dim
            else None
        )
        input_size = (
            (embedding_dim if self.embedding else 0)
            + (char_embedding_dim if self.chars else 0)
            + n_features
        )
        self.dropout = Dropout(dropout)
        self.recurrent = Recurrent(
            input_size, hidden_size, num_layers, bidirectional, cell, dropout
        )

    def load_embeddings(self, weights, freeze=False):
        """Copy ``weights`` (vocab_size x embedding_dim) into the embedding."""
        with torch.no_grad():
            self.embedding.weight.copy_(torch.as_tensor(weights))
        self.embedding.weight.requires_grad_(not freeze)

    def _drop_tokens(self, tokens):
        if not (self.training and self.token_dropout):
            return tokens
        random = generator(tokens.device)
        dropped = (
            torch.rand(tokens.shape, device=tokens.device, generator=random)
            < self.token_dropout
        )
        return tokens.masked_fill(dropped & (tokens != 0), UNKNOWN_INDEX)

    def embed(self, tokens=None, features=None, chars=None):
        """The recurrent layers' input steps ``(B, T, input_size)``, before dropout."""
        steps = (
            [self.embedding(self._drop_tokens(tokens))] if tokens is not None else []
        )
        if chars is not None:
            steps.append(self.chars(chars))
        if features is not None:
            steps.append(features)
        # cat copies even a single tensor: skip it for a single input stream
        return steps[0] if len(steps) == 1 else torch.cat(steps, dim=-1)

    def encode(
        self, lengths, tokens=None, features=None, chars=None, return_states=False
    ):
        """The recurrent outputs ``(B, T, D, H)`` (and final states, see
        :class:`~sklstm.nn.Recurrent`) of a padded batch."""
        x = self.dropout(self.embed(tokens, features, chars))
        return self.recurrent(x, lengths, return_states)


class SequenceModel(SequenceEncoder):
    """:class:`SequenceEncoder` -> pooling -> linear head, optionally with a
    convolutional branch beside the recurrent one (LSTM-FCN).

    The head has no output activation: it returns logits (or raw regression values),
    for losses such as :class:`torch.nn.CrossEntropyLoss` that take logits.

    Parameters
    ----------
    output_size : int
        Classes, labels or regression targets.
    pooling : {"last", "mean", "max", "attention"} or None, default="last"
        See :class:`~sklstm.nn.SequencePooling`; ``None`` gives per-step outputs.
    bidirectional_merge : {"concat", "sum"}, default="concat"
    conv_filters : tuple of int or None, default=None
        With filters, a :class:`~sklstm.nn.ConvBranch` of these blocks reads the
        input steps too (unpatched: see ``patch_size``), and its mean over real
        steps joins the recurrent summary before the head.
    patch_size : int, default=1
        Steps per input step of patched numeric features (see
        :class:`~sklstm.data.InputEncoder`), which the convolutional branch reads
        one by one.
    **encoder
        The :class:`SequenceEncoder`'s parameters. ``dropout`` also applies to the
        summary before the head.

    Examples
    --------
    >>> model = SequenceModel(output_size=3, vocab_size=10, embedding_dim=4,
    ...                       hidden_size=5, bidirectional=True)
    >>> tokens = torch.tensor([[2, 3, 4], [5, 0, 0]])
    >>> model(torch.tensor([3, 1]), tokens=tokens).shape
    torch.Size([2, 3])
    """

    def __init__(
        self,
        *,
        output_size,
        pooling="last",
        bidirectional_merge="concat",
        conv_filters=None,
        patch_size=1,
        **encoder,
    ):
        super().__init__(**encoder)
        self.pooling = SequencePooling(
            pooling,
            self.recurrent.hidden_size,
            self.recurrent.num_directions,
            bidirectional_merge,
        )
        self.patch_size = patch_size
        input_size = self.recurrent.layers[0][0].input_size
        self.conv = (
            ConvBranch(
                (input_size - 1) // patch_size if patch_size > 1 else input_size,
                conv_filters,
            )
            if conv_filters
            else None
        )
        summary_size = self.pooling.output_size + (
            self.conv.output_size if self.conv else 0
        )
        self.head = nn.Linear(summary_size, output_size)

    def forward(self, lengths, tokens=None, features=None, chars=None):
        x = self.embed(tokens, features, chars)
        summary = self.pooling(self.recurrent(self.dropout(x), lengths), lengths)
        if self.conv is not None:
            steps = self.conv(*unpatch(x, lengths, self.patch_size))
            summary = torch.cat([summary, steps], dim=-1)
        return self.head(self.dropout(summary))
